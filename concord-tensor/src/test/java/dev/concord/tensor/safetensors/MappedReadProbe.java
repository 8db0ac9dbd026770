package dev.concord.tensor.safetensors;

import java.nio.file.Path;

/** Run in a child JVM with a tiny heap by {@link SafetensorsMappingTest}: opens a file and prints some elements. */
public final class MappedReadProbe {
    private MappedReadProbe() {}

    public static void main(String[] args) {
        try (SafetensorsFile f = SafetensorsFile.open(Path.of(args[0]))) {
            String name = f.names().iterator().next();
            float[] one = new float[1];
            StringBuilder out = new StringBuilder();
            for (int i = 1; i < args.length; i++) {
                f.readFloats(name, Long.parseLong(args[i]), one, 0, 1);
                out.append(i > 1 ? " " : "").append(one[0]);
            }
            System.out.println(out);
        }
    }
}
