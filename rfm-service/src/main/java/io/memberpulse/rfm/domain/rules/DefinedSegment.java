package io.memberpulse.rfm.domain.rules;

/** A business-defined segment and its compiled rule. */
public record DefinedSegment(String id, String name, SegmentRuleCompiler.CompiledRule rule) {
}
