/**
 * The {@code gasok} command: labs, detection, gesture training, benchmarks and the device survey,
 * on every backend. The backends are found by core at run time, so this module reads only core's
 * API; picocli reads the command classes reflectively.
 */
module io.gasok.examples {
    requires io.gasok;
    requires info.picocli;
    // The bench's EJML peer, float precision. No module here may also read ejml.ddense (split packages).
    requires ejml.core;
    requires ejml.fdense;
    // gasok gesture: the progress bar and the plot of the training curves.
    requires me.tongfei.progressbar;
    requires org.knowm.xchart;
    requires java.desktop;
    // The bench report's machine: the JVM's options; the child JVMs' heap: the machine's memory.
    requires java.management;
    requires jdk.management;

    opens io.gasok.examples to info.picocli;
}
