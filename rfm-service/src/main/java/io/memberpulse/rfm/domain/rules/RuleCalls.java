package io.memberpulse.rfm.domain.rules;

import dev.cel.common.ast.CelExpr;
import dev.cel.common.navigation.CelNavigableAst;
import java.util.stream.Stream;

/** The function calls of a rule's AST (operators included: {@code _==_}, {@code @in}), for the save-time checks. */
final class RuleCalls {
    private RuleCalls() {
    }

    /** Every call anywhere in the rule, nested ones too. */
    static Stream<CelExpr.CelCall> of(CelNavigableAst ast) {
        return ast.getRoot().allNodes()
                .filter(node -> node.expr().exprKind().getKind() == CelExpr.ExprKind.Kind.CALL)
                .map(node -> node.expr().call());
    }
}
