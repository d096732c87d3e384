package io.memberpulse.identity.domain;

/** A change asked of a member that was merged into another: it must be asked of the survivor. */
public final class MemberMergedAwayException extends RuntimeException {
    public MemberMergedAwayException(String memberId, String survivor) {
        super("member " + memberId + " was merged into " + survivor + ": split " + survivor + " instead");
    }
}
