package io.memberpulse.identity;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/** Dependencies flow one way (STYLE.md): api, stream.in -> root -> domain, store, stream.out; domain -> nothing. */
@AnalyzeClasses(packages = "io.memberpulse.identity", importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {

    @ArchTest
    static final ArchRule domainUsesOnlyTheJdk = classes().that().resideInAPackage("..identity.domain..")
            .should().onlyDependOnClassesThat().resideInAnyPackage("java..", "..identity.domain..",
                    "com.google.i18n.phonenumbers..", "org.apache.commons.text..", "net.sourceforge.pinyin4j..",
                    "com.fasterxml.uuid..");
            // pure libraries: phone numbers, string distances, pinyin and time-ordered ids are domain knowledge

    @ArchTest
    static final ArchRule rootAndStoreNeverCallAdapters = noClasses()
            .that().resideInAnyPackage("io.memberpulse.identity", "..identity.store..", "..identity.domain..")
            .should().dependOnClassesThat().resideInAnyPackage("..identity.api..", "..identity.stream.in..");

    @ArchTest
    static final ArchRule adaptersGoThroughTheRoot = noClasses()
            .that().resideInAnyPackage("..identity.api..", "..identity.stream.in..")
            .should().dependOnClassesThat().resideInAnyPackage("..identity.store..");

    @ArchTest
    static final ArchRule restCallsNoOtherAdapter = noClasses().that().resideInAPackage("..identity.api.rest..")
            .should().dependOnClassesThat().resideInAnyPackage("..identity.api.grpc..", "..identity.stream..");

    @ArchTest
    static final ArchRule grpcCallsNoOtherAdapter = noClasses().that().resideInAPackage("..identity.api.grpc..")
            .should().dependOnClassesThat().resideInAnyPackage("..identity.api.rest..", "..identity.stream..");

    @ArchTest
    static final ArchRule consumersCallNoApi = noClasses().that().resideInAPackage("..identity.stream..")
            .should().dependOnClassesThat().resideInAnyPackage("..identity.api..");
}
