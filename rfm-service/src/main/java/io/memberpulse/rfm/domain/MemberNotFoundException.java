package io.memberpulse.rfm.domain;

public final class MemberNotFoundException extends RuntimeException {
    public MemberNotFoundException(String memberId) {
        super("no purchase or registration known for member " + memberId);
    }
}
