package io.memberpulse.rfm.domain;

public final class MemberNotFoundException extends RuntimeException {
    public MemberNotFoundException(String memberId) {
        super("no purchases known for member " + memberId);
    }
}
