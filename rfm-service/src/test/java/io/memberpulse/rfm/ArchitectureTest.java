package io.memberpulse.rfm;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/** Dependencies flow one way (STYLE.md): api, stream.in -> root -> domain, store, stream.out; domain -> nothing. */
@AnalyzeClasses(packages = "io.memberpulse.rfm", importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {

    @ArchTest
    static final ArchRule domainUsesOnlyTheJdk = classes().that().resideInAPackage("..rfm.domain..")
            .should().onlyDependOnClassesThat().resideInAnyPackage("java..", "..rfm.domain..",
                    "dev.cel..", "com.google.common.collect..", "com.google.re2j.."); // CEL is the rule language itself; RE2/J its regex engine

    @ArchTest
    static final ArchRule rootAndStoreNeverCallAdapters = noClasses()
            .that().resideInAnyPackage("io.memberpulse.rfm", "..rfm.store..", "..rfm.domain..")
            .should().dependOnClassesThat().resideInAnyPackage("..rfm.api..", "..rfm.stream.in..");

    @ArchTest
    static final ArchRule adaptersGoThroughTheRoot = noClasses()
            .that().resideInAnyPackage("..rfm.api..", "..rfm.stream.in..")
            .should().dependOnClassesThat().resideInAnyPackage("..rfm.store..");

    @ArchTest
    static final ArchRule restCallsNoOtherAdapter = noClasses().that().resideInAPackage("..rfm.api.rest..")
            .should().dependOnClassesThat().resideInAnyPackage("..rfm.api.grpc..", "..rfm.stream..");

    @ArchTest
    static final ArchRule grpcCallsNoOtherAdapter = noClasses().that().resideInAPackage("..rfm.api.grpc..")
            .should().dependOnClassesThat().resideInAnyPackage("..rfm.api.rest..", "..rfm.stream..");

    @ArchTest
    static final ArchRule consumersCallNoApi = noClasses().that().resideInAPackage("..rfm.stream..")
            .should().dependOnClassesThat().resideInAnyPackage("..rfm.api..");
}
