package dev.concord.lab.train;

import dev.concord.lab.model.LabModelShape;
import dev.concord.lab.skill.LabSkills;
import dev.concord.lab.suite.Suite;
import dev.concord.lab.suite.SuiteGenerator;
import dev.concord.lab.suite.SuiteItem;
import dev.concord.lab.suite.SuiteSizes;
import dev.concord.lab.suite.TrainingData;

import java.util.Iterator;

/**
 * Measures training throughput on the recipe's model: base training (16 rows of 128 tokens per step) and LoRA
 * training (8 rows, rank 8 on all projections), in tokens per second of wall time after a warm-up, and per second
 * of process CPU time (which other jobs on a shared machine do not inflate).
 *
 * <pre>java --add-modules jdk.incubator.vector -cp … dev.concord.lab.train.TrainerBenchmark [threads] [steps]</pre>
 */
public final class TrainerBenchmark {
    private TrainerBenchmark() {}

    public static void main(String[] args) {
        int threads = args.length > 0 ? Integer.parseInt(args[0]) : 2;
        int steps = args.length > 1 ? Integer.parseInt(args[1]) : 30;
        LabModelShape shape = LabModelShape.DEFAULT;
        Suite heldOut = new SuiteGenerator(1234, new SuiteSizes(50, 20, 20)).generate();
        TrainingData data = new TrainingData(1, heldOut);
        Iterator<SuiteItem> pretraining = new PretrainingItems(data.pretraining(0));
        LabWeights base = LabWeights.initialized(shape, 1);
        TrainingSettings baseSettings = new TrainingSettings(3_000_000, 3e-3, 16, 128, 100, 0.1, 0.1, 1.0, 0.9, 0.95,
                0);
        try (Trainer t = Trainer.full(base, baseSettings, threads)) {
            report("base", t, new BatchPacker(pretraining, 16, 128), steps);
        }
        LoraWeights adapter = LoraWeights.initialized(shape, LoraSettings.DEFAULT, 2);
        TrainingSettings loraSettings = new TrainingSettings(300_000, 3e-3, 8, 128, 20, 0, 0.1, 1.0, 0.9, 0.95, 0);
        try (Trainer t = Trainer.lora(base, adapter, loraSettings, threads)) {
            report("lora", t, new BatchPacker(data.skill(LabSkills.byName("rot3"), 0), 8, 128), 2 * steps);
        }
    }

    private static void report(String phase, Trainer t, BatchPacker packer, int steps) {
        for (int i = 0; i < Math.max(5, steps / 3); i++) {
            t.step(packer.next());
        }
        long tokens = 0;
        double cpu = cpuSeconds();
        long start = System.nanoTime();
        double loss = 0;
        for (int i = 0; i < steps; i++) {
            StepReport r = t.step(packer.next());
            tokens += r.tokens();
            loss = r.loss();
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        cpu = cpuSeconds() - cpu;
        System.out.printf("%s, %d threads: %d steps, %d tokens in %.2f s: %.0f tokens/s (%.1f ms/step); "
                + "%.2f CPU s, %.0f tokens per CPU second; loss %.3f%n", phase, t.threads(), steps, tokens, seconds,
                tokens / seconds, 1000 * seconds / steps, cpu, tokens / cpu, loss);
    }

    /** CPU time of the whole process: on a shared machine, wall time alone says little. */
    private static double cpuSeconds() {
        return java.lang.management.ManagementFactory.getOperatingSystemMXBean()
                instanceof com.sun.management.OperatingSystemMXBean os ? os.getProcessCpuTime() / 1e9 : 0;
    }
}
