package io.memberpulse.proto.auth;

/**
 * Who may call what, the same in every service. Callers present a JWT signed by the platform's identity
 * provider (REST: {@code Authorization: Bearer}, gRPC: the {@code authorization} metadata); its
 * {@code groups} claim holds these roles.
 */
public final class Roles {
    /** Head office: reads every member, store and model, defines segments and campaigns, trains models. */
    public static final String ANALYST = "analyst";
    /**
     * Store staff: their own store's call list, outcomes and at-risk members, and those members' churn scores and
     * explanations (see {@link #STORE_CLAIM}).
     */
    public static final String STAFF = "staff";
    /**
     * Data stewards (head office, data protection): may see members' identifiers in full. Everyone else reads them
     * masked (138****8000, a***@example.com); a steward asks for a reveal per member, and each reveal is recorded
     * with the steward's token subject, so that who read whose phone, e-mail or WeChat ids can be told afterwards.
     */
    public static final String STEWARD = "steward";
    /** Channel integrations (POS, mini-program, app, delivery platforms): send events and imports. */
    public static final String INGEST = "ingest";
    /** The claim naming the store a staff member works at; a staff token without it sees no store. */
    public static final String STORE_CLAIM = "store_id";

    private Roles() {
    }
}
