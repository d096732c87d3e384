package io.memberpulse.churn;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/** Dependencies flow one way (STYLE.md): api, stream.in -> root -> domain, store, stream.out; domain -> nothing. */
@AnalyzeClasses(packages = "io.memberpulse.churn", importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {

    @ArchTest
    static final ArchRule domainUsesOnlyTheJdk = classes().that().resideInAPackage("..churn.domain..")
            .and().resideOutsideOfPackage("..churn.domain.model..")
            .should().onlyDependOnClassesThat().resideInAnyPackage("java..", "..churn.domain..",
                    "io.memberpulse.proto.checks.."); // the field checks every service shares, plain Java

    /** domain.model wraps the ML libraries (XGBoost, commons-math3) and nothing else. */
    @ArchTest
    static final ArchRule modelUsesOnlyTheJdkAndTheMlLibraries = classes().that().resideInAPackage("..churn.domain.model..")
            .should().onlyDependOnClassesThat().resideInAnyPackage("java..", "..churn.domain..", "ml.dmlc.xgboost4j..",
                    "org.apache.commons.math3..");

    @ArchTest
    static final ArchRule domainOutsideModelNeverUsesTheModelPackage = noClasses().that()
            .resideInAPackage("..churn.domain..").and().resideOutsideOfPackage("..churn.domain.model..")
            .should().dependOnClassesThat().resideInAPackage("..churn.domain.model..");

    @ArchTest
    static final ArchRule rootAndStoreNeverCallAdapters = noClasses()
            .that().resideInAnyPackage("io.memberpulse.churn", "..churn.store..", "..churn.domain..")
            .should().dependOnClassesThat().resideInAnyPackage("..churn.api..", "..churn.stream.in..");

    @ArchTest
    static final ArchRule adaptersGoThroughTheRoot = noClasses()
            .that().resideInAnyPackage("..churn.api..", "..churn.stream.in..")
            .should().dependOnClassesThat().resideInAnyPackage("..churn.store..");

    @ArchTest
    static final ArchRule restCallsNoOtherAdapter = noClasses().that().resideInAPackage("..churn.api.rest..")
            .should().dependOnClassesThat().resideInAnyPackage("..churn.api.grpc..", "..churn.stream..");

    @ArchTest
    static final ArchRule grpcCallsNoOtherAdapter = noClasses().that().resideInAPackage("..churn.api.grpc..")
            .should().dependOnClassesThat().resideInAnyPackage("..churn.api.rest..", "..churn.stream..");

    @ArchTest
    static final ArchRule consumersCallNoApi = noClasses().that().resideInAPackage("..churn.stream..")
            .should().dependOnClassesThat().resideInAnyPackage("..churn.api..");
}
