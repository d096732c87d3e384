package io.memberpulse.churn.domain;

public final class MemberNotFoundException extends RuntimeException {
    public MemberNotFoundException(String memberId) {
        super("no score for member " + memberId);
    }
}
