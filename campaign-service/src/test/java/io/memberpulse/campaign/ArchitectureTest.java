package io.memberpulse.campaign;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/** Dependencies flow one way (STYLE.md): api, stream.in -> root -> domain, store, stream.out; domain -> nothing. */
@AnalyzeClasses(packages = "io.memberpulse.campaign", importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {

    @ArchTest
    static final ArchRule domainUsesOnlyTheJdk = classes().that().resideInAPackage("..campaign.domain..")
            .and().resideOutsideOfPackage("..campaign.domain.experiment..")
            .should().onlyDependOnClassesThat().resideInAnyPackage("java..", "..campaign.domain..",
                    "io.memberpulse.proto.checks.."); // the field checks every service shares, plain Java

    /** domain.experiment, the statistics of holdouts, may use commons-math3's intervals and nothing else. */
    @ArchTest
    static final ArchRule experimentUsesOnlyTheJdkAndCommonsMath = classes().that().resideInAPackage("..campaign.domain.experiment..")
            .should().onlyDependOnClassesThat().resideInAnyPackage("java..", "..campaign.domain..", "org.apache.commons.math3..",
                    "io.memberpulse.proto.checks..");

    @ArchTest
    static final ArchRule rootAndStoreNeverCallAdapters = noClasses()
            .that().resideInAnyPackage("io.memberpulse.campaign", "..campaign.store..", "..campaign.domain..")
            .should().dependOnClassesThat().resideInAnyPackage("..campaign.api..", "..campaign.stream.in..");

    @ArchTest
    static final ArchRule adaptersGoThroughTheRoot = noClasses()
            .that().resideInAnyPackage("..campaign.api..", "..campaign.stream.in..")
            .should().dependOnClassesThat().resideInAnyPackage("..campaign.store..");

    @ArchTest
    static final ArchRule restCallsNoOtherAdapter = noClasses().that().resideInAPackage("..campaign.api.rest..")
            .should().dependOnClassesThat().resideInAnyPackage("..campaign.api.grpc..", "..campaign.stream..");

    @ArchTest
    static final ArchRule grpcCallsNoOtherAdapter = noClasses().that().resideInAPackage("..campaign.api.grpc..")
            .should().dependOnClassesThat().resideInAnyPackage("..campaign.api.rest..", "..campaign.stream..");

    @ArchTest
    static final ArchRule consumersCallNoApi = noClasses().that().resideInAPackage("..campaign.stream..")
            .should().dependOnClassesThat().resideInAnyPackage("..campaign.api..");
}
