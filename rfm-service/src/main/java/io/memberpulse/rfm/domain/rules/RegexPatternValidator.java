package io.memberpulse.rfm.domain.rules;

import com.google.re2j.Pattern;
import com.google.re2j.PatternSyntaxException;
import dev.cel.bundle.Cel;
import dev.cel.common.ast.CelConstant;
import dev.cel.common.ast.CelExpr;
import dev.cel.common.navigation.CelNavigableAst;
import dev.cel.validator.CelAstValidator;

/**
 * Checks every {@code matches()} pattern on save, with RE2/J, the engine CEL evaluates them with: it must be a string
 * literal (a pattern computed per member could be anything, and is compiled again for every member), it must compile,
 * and its compiled program must stay under {@link #MAX_PROGRAM_SIZE}. CEL compiles the pattern anew on every
 * evaluation, so a pattern like {@code ((a{1000}){1000})} cost half a second per member and stalled event processing.
 */
final class RegexPatternValidator implements CelAstValidator {
    /** Largest RE2 program a pattern may compile to; {@code [a-z0-9-]{1,100}} is about 300. */
    static final int MAX_PROGRAM_SIZE = 1_000;

    @Override
    public void validate(CelNavigableAst ast, Cel cel, IssuesFactory issues) {
        RuleCalls.of(ast)
                .filter(call -> call.function().equals("matches"))
                .forEach(call -> {
                    // receiver style home_store.matches(p) or global matches(home_store, p): the pattern comes last
                    CelExpr pattern = call.args().get(call.args().size() - 1);
                    if (pattern.exprKind().getKind() != CelExpr.ExprKind.Kind.CONSTANT
                            || pattern.constant().getKind() != CelConstant.Kind.STRING_VALUE) {
                        issues.addError(pattern.id(), "the pattern of matches() must be a string literal");
                        return;
                    }
                    check(pattern.id(), pattern.constant().stringValue(), issues);
                });
    }

    private static void check(long id, String regex, IssuesFactory issues) {
        Pattern compiled;
        try {
            compiled = Pattern.compile(regex);
        } catch (PatternSyntaxException e) {
            issues.addError(id, "invalid regular expression: " + e.getDescription() + " in " + e.getPattern());
            return;
        }
        if (compiled.programSize() > MAX_PROGRAM_SIZE) {
            issues.addError(id, "regular expression too large: it compiles to " + compiled.programSize()
                    + " instructions, at most " + MAX_PROGRAM_SIZE + " are allowed");
        }
    }
}
