package io.memberpulse.identity.domain;

public final class MemberNotFoundException extends RuntimeException {
    public MemberNotFoundException(String memberId) {
        super("no member " + memberId);
    }
}
