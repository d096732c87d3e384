package io.memberpulse.campaign.api.grpc;

import io.grpc.Status;
import io.memberpulse.campaign.domain.CampaignNotFoundException;
import io.memberpulse.campaign.domain.CampaignStateConflictException;
import io.memberpulse.campaign.domain.ContactRevealDisabledException;
import io.memberpulse.campaign.domain.InvalidArgumentException;
import io.memberpulse.campaign.domain.MemberNotFoundException;
import io.memberpulse.campaign.domain.StoreNotFoundException;
import io.memberpulse.campaign.domain.TaskClosedException;
import io.memberpulse.campaign.domain.TaskConflictException;
import io.memberpulse.campaign.domain.TaskNotFoundException;
import io.memberpulse.proto.grpc.GrpcErrorMapping;
import jakarta.enterprise.context.ApplicationScoped;

/** campaign-service's own errors as gRPC status codes, for every one of its gRPC services. */
@ApplicationScoped
class GrpcErrorMapper extends GrpcErrorMapping {

    @Override
    protected Status domainStatus(Throwable failure) {
        if (failure instanceof TaskNotFoundException || failure instanceof CampaignNotFoundException
                || failure instanceof MemberNotFoundException || failure instanceof StoreNotFoundException) {
            return Status.NOT_FOUND.withDescription(failure.getMessage());
        }
        if (failure instanceof TaskConflictException) {
            // ABORTED: the gRPC code for a concurrency conflict the client resolves by re-reading.
            return Status.ABORTED.withDescription(failure.getMessage());
        }
        if (failure instanceof TaskClosedException) {
            // re-reading does not help: the task is closed for good
            return Status.FAILED_PRECONDITION.withDescription(failure.getMessage());
        }
        if (failure instanceof CampaignStateConflictException) {
            // the request is well formed; the campaign is not in a state it can make that move from
            return Status.FAILED_PRECONDITION.withDescription(failure.getMessage());
        }
        if (failure instanceof ContactRevealDisabledException) {
            // as REST's 403: the deployment forbids it for every caller and task
            return Status.PERMISSION_DENIED.withDescription(failure.getMessage());
        }
        if (failure instanceof InvalidArgumentException) {
            // its message is already "field: reason"
            return Status.INVALID_ARGUMENT.withDescription(failure.getMessage());
        }
        return null;
    }
}
