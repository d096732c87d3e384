package io.memberpulse.rfm.domain.rules;

import dev.cel.bundle.Cel;
import dev.cel.common.ast.CelConstant;
import dev.cel.common.ast.CelExpr;
import dev.cel.common.navigation.CelNavigableAst;
import dev.cel.validator.CelAstValidator;
import io.memberpulse.rfm.domain.DefaultSegments;
import io.memberpulse.rfm.domain.LifecycleStage;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Refuses on save a comparison no member can ever satisfy because the literal is not a value the attribute takes:
 * {@code stage == "at-risk"} (the stage is {@code at_risk}; {@code stage:at-risk} is its segment id) or
 * {@code "stage:loyal" in segments} ({@code segments} holds the default segments only). Accepted, such a rule was
 * silently empty (or silently everyone, negated).
 */
final class KnownValuesValidator implements CelAstValidator {
    /** The values of the {@code stage} attribute (MemberAttributes), in the order of the lifecycle. */
    static final List<String> STAGES = Arrays.stream(LifecycleStage.values())
            .map(stage -> stage.name().toLowerCase(Locale.ROOT)).toList();
    /** What {@code segments} can hold. */
    static final List<String> SEGMENTS = List.of(DefaultSegments.HIGH_VALUE_ACTIVE, DefaultSegments.POTENTIAL,
            DefaultSegments.CHURN_EDGE);

    @Override
    public void validate(CelNavigableAst ast, Cel cel, IssuesFactory issues) {
        RuleCalls.of(ast)
                .filter(call -> call.args().size() == 2)
                .forEach(call -> {
                    CelExpr left = call.args().get(0);
                    CelExpr right = call.args().get(1);
                    switch (call.function()) {
                        case "_==_", "_!=_" -> {
                            if (isIdent(left, "stage")) {
                                checkStage(right, issues);
                            } else if (isIdent(right, "stage")) {
                                checkStage(left, issues);
                            }
                        }
                        case "@in" -> {
                            if (isIdent(left, "stage") && right.exprKind().getKind() == CelExpr.ExprKind.Kind.LIST) {
                                right.list().elements().forEach(element -> checkStage(element, issues));
                            } else if (isIdent(right, "segments")) {
                                check(left, SEGMENTS, "segments holds the default segments only, one of "
                                        + String.join(", ", SEGMENTS) + " (a stage is compared as stage == \"at_risk\")", issues);
                            }
                        }
                        default -> {
                        }
                    }
                });
    }

    private static void checkStage(CelExpr literal, IssuesFactory issues) {
        check(literal, STAGES, "stage is one of " + String.join(", ", STAGES), issues);
    }

    private static void check(CelExpr literal, List<String> known, String reason, IssuesFactory issues) {
        if (literal.exprKind().getKind() == CelExpr.ExprKind.Kind.CONSTANT
                && literal.constant().getKind() == CelConstant.Kind.STRING_VALUE
                && !known.contains(literal.constant().stringValue())) {
            issues.addError(literal.id(), "no member can match \"" + literal.constant().stringValue() + "\": " + reason);
        }
    }

    private static boolean isIdent(CelExpr expr, String name) {
        return expr.exprKind().getKind() == CelExpr.ExprKind.Kind.IDENT && expr.ident().name().equals(name);
    }
}
