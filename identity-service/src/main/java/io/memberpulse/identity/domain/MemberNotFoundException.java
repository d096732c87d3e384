package io.memberpulse.identity.domain;

public final class MemberNotFoundException extends RuntimeException {
    public MemberNotFoundException(String memberId) {
        super("no member " + memberId);
    }

    private MemberNotFoundException(String message, Void unused) {
        super(message);
    }

    /** No member holds any of the identifiers a look-up gave. */
    public static MemberNotFoundException withTheseIdentifiers() {
        return new MemberNotFoundException("no member has these identifiers", null);
    }
}
