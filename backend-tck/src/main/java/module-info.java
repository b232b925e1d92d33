/**
 * The backend conformance suite: contract interfaces whose jqwik {@code @Property} default methods
 * every backend's tests inherit by extending one class, each checked against the scalar reference
 * backend and, for linear algebra, against EJML.
 *
 * <p>EJML is read in double precision only ({@code ejml.core}, {@code ejml.ddense}): its float,
 * complex and "all" jars share package names with these, and a module cannot read one package
 * from two modules.
 */
module io.gasok.tck {
    requires transitive io.gasok;
    requires transitive net.jqwik.api;
    requires transitive org.junit.jupiter.api;
    requires ejml.core;
    requires ejml.ddense;

    exports io.gasok.tck;
}
