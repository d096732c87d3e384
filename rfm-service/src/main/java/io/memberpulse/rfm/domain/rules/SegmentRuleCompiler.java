package io.memberpulse.rfm.domain.rules;

import dev.cel.common.CelAbstractSyntaxTree;
import dev.cel.common.CelIssue;
import dev.cel.common.CelOptions;
import dev.cel.common.CelValidationException;
import dev.cel.common.CelValidationResult;
import dev.cel.common.types.ListType;
import dev.cel.common.types.MapType;
import dev.cel.common.types.SimpleType;
import dev.cel.compiler.CelCompiler;
import dev.cel.compiler.CelCompilerFactory;
import dev.cel.runtime.CelEvaluationException;
import dev.cel.runtime.CelRuntime;
import dev.cel.runtime.CelRuntimeFactory;
import dev.cel.validator.CelValidator;
import dev.cel.validator.CelValidatorFactory;
import java.util.Map;

/**
 * Business-defined segment rules in CEL (Common Expression Language): type-checked against the
 * member attributes on save, so a typo or a wrong type is refused with its line, column and reason,
 * never discovered later; compiled once, then evaluated per member in microseconds.
 * Example: {@code stage == "loyal" && monetary_net_90d >= 800 && !("churn-edge" in segments)}.
 */
public final class SegmentRuleCompiler {
    /** Longest rule accepted, in characters. */
    public static final int MAX_LENGTH = 2_000;

    /**
     * Numbers compare across int and double, as business users write them: "monetary_net_90d >= 800" and
     * "recency_days > 30" (standard CEL would refuse a double against an int literal and ask for 800.0).
     * A regex program is bounded at evaluation too (the default, -1, is unbounded), though patterns are checked on save.
     */
    private static final CelOptions OPTIONS = CelOptions.current().enableHeterogeneousNumericComparisons(true)
            .maxRegexProgramSize(RegexPatternValidator.MAX_PROGRAM_SIZE).build();

    private final CelCompiler compiler = CelCompilerFactory.standardCelCompilerBuilder()
            .setOptions(OPTIONS)
            .addVar("recency_days", SimpleType.DOUBLE)
            .addVar("frequency_7d", SimpleType.INT)
            .addVar("frequency_14d", SimpleType.INT)
            .addVar("frequency_30d", SimpleType.INT)
            .addVar("frequency_90d", SimpleType.INT)
            .addVar("weighted_frequency_30d", SimpleType.DOUBLE)
            .addVar("weighted_frequency_90d", SimpleType.DOUBLE)
            .addVar("monetary_net_30d", SimpleType.DOUBLE)
            .addVar("monetary_net_90d", SimpleType.DOUBLE)
            .addVar("monetary_margin_90d", SimpleType.DOUBLE)
            .addVar("monetary_net_total", SimpleType.DOUBLE)
            .addVar("orders_total", SimpleType.INT)
            .addVar("home_store", SimpleType.STRING)
            .addVar("days_since_registration", SimpleType.DOUBLE)
            .addVar("stage", SimpleType.STRING)
            .addVar("segments", ListType.create(SimpleType.STRING))
            .addVar("tags", MapType.create(SimpleType.STRING, SimpleType.STRING))
            .addVar("categories", ListType.create(SimpleType.STRING))
            .addVar("visits_30d", SimpleType.INT)
            .addVar("visits_90d", SimpleType.INT)
            .addVar("reviews", SimpleType.INT)
            .addVar("coupons_redeemed", SimpleType.INT)
            .addVar("negative_reviews", SimpleType.INT)
            .addVar("negative_reviews_90d", SimpleType.INT)
            .addVar("complaints", SimpleType.INT)
            .addVar("complaints_90d", SimpleType.INT)
            .addVar("churn_probability", SimpleType.DOUBLE)
            .addVar("churn_scored", SimpleType.BOOL)
            .setResultType(SimpleType.BOOL)
            .build();
    private final CelRuntime runtime = CelRuntimeFactory.standardCelRuntimeBuilder().setOptions(OPTIONS).build();
    /** Checks a type-checked rule further: what evaluating it per member would cost, or could never match. */
    private final CelValidator validator = CelValidatorFactory.standardCelValidatorBuilder(compiler, runtime)
            .addAstValidators(new RegexPatternValidator(), new KnownValuesValidator())
            .build();

    /** A checked rule, ready to evaluate. */
    public final class CompiledRule {
        private final String expression;
        private final CelRuntime.Program program;

        private CompiledRule(String expression, CelRuntime.Program program) {
            this.expression = expression;
            this.program = program;
        }

        /** Whether the member matches; a rule that fails at run time (e.g. a division by zero) does not match. */
        public boolean matches(Map<String, Object> attributes) {
            try {
                return Boolean.TRUE.equals(program.eval(attributes));
            } catch (CelEvaluationException e) {
                return false;
            }
        }

        public String expression() {
            return expression;
        }
    }

    public CompiledRule compile(String expression) {
        if (expression == null || expression.isBlank()) {
            throw new InvalidRuleException(1, 1, "the rule is empty");
        }
        if (expression.length() > MAX_LENGTH) {
            throw new InvalidRuleException(1, MAX_LENGTH, "the rule is longer than " + MAX_LENGTH + " characters");
        }
        CelValidationResult result = compiler.compile(expression);
        refuseOnError(result);
        try {
            CelAbstractSyntaxTree ast = result.getAst();
            refuseOnError(validator.validate(ast));
            return new CompiledRule(expression, runtime.createProgram(ast));
        } catch (CelValidationException | CelEvaluationException e) {
            throw new InvalidRuleException(1, 1, e.getMessage());
        }
    }

    private static void refuseOnError(CelValidationResult result) {
        if (result.hasError()) {
            CelIssue first = result.getErrors().get(0);
            // CEL columns are 0-based; people count from 1.
            throw new InvalidRuleException(Math.max(1, first.getSourceLocation().getLine()),
                    first.getSourceLocation().getColumn() + 1, first.getMessage());
        }
    }
}
