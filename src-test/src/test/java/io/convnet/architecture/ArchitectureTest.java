package io.convnet.architecture;

import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.core.importer.Location;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.library.dependencies.SliceAssignment;
import com.tngtech.archunit.library.dependencies.SliceIdentifier;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The dependency rule of the design (docs/architecture.md), over the main classes of every
 * module (this module has them all on its test class path): no package cycles; the model library
 * and the serving runtime know nothing of Vert.x or Kafka; no service depends on another.
 */
@AnalyzeClasses(packages = "io.convnet",
    importOptions = {ImportOption.DoNotIncludeTests.class, ArchitectureTest.NoTestJars.class})
class ArchitectureTest {
  /** The serving runtime's packages. */
  static final String SERVING = "io.convnet.serving..";

  /** Package prefix of each service's code: the slices that must not depend on each other. */
  static final Map<String, String> SERVICE_PACKAGES = Map.of(
      "io.convnet.gateway", "gateway",
      "io.convnet.trainer", "trainer-service",
      "io.convnet.worker", "inference-worker",
      "io.convnet.visualizer", "visualizer-service");

  @ArchTest
  static final ArchRule noPackageCycles = slices().matching("io.convnet.(**)").should().beFreeOfCycles();

  @ArchTest
  static final ArchRule libraryAndServingRuntimeKnowNoVertxNorKafka = noClasses()
      .that(inModule("convnet").or(resideInAPackage(SERVING)))
      .should().dependOnClassesThat().resideInAnyPackage("io.vertx..", "org.apache.kafka..");

  @ArchTest
  static final ArchRule noServiceDependsOnAnother = slices().assignedFrom(new SliceAssignment() {
    @Override
    public SliceIdentifier getIdentifierOf(JavaClass c) {
      return SERVICE_PACKAGES.entrySet().stream()
          .filter(e -> c.getPackageName().equals(e.getKey()) || c.getPackageName().startsWith(e.getKey() + "."))
          .map(e -> SliceIdentifier.of(e.getValue()))
          .findFirst().orElse(SliceIdentifier.ignore());
    }

    @Override
    public String getDescription() {
      return "services " + SERVICE_PACKAGES;
    }
  }).should().notDependOnEachOther();

  /**
   * The classes of one Maven module, wherever they are read from: its {@code target/classes}, its
   * jar in {@code target}, or the jar in the local repository.
   */
  static DescribedPredicate<JavaClass> inModule(String module) {
    Pattern location = Pattern.compile(".*/" + Pattern.quote(module) + "(/target/classes/|-\\d[^/]*\\.jar!/).*");
    return DescribedPredicate.describe("are in module " + module, c -> c.getSource()
        .map(s -> location.matcher(s.getUri().toString()).matches()).orElse(false));
  }

  /** Test jars (a module's {@code -tests.jar} that this one depends on) hold test code too. */
  static final class NoTestJars implements ImportOption {
    private static final Pattern TEST_JAR = Pattern.compile(".*-tests\\.jar!/.*");

    @Override
    public boolean includes(Location location) {
      return !location.matches(TEST_JAR);
    }
  }
}
