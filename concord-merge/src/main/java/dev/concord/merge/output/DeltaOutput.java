package dev.concord.merge.output;

import dev.concord.merge.Merger;
import dev.concord.merge.ModuleInputs;
import dev.concord.merge.ModulePlan;
import dev.concord.merge.ModuleResult;
import dev.concord.tensor.DType;
import dev.concord.tensor.safetensors.SafetensorsWriter;
import dev.concord.tensor.safetensors.TensorSpec;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * {@code --format delta}: {@code delta.safetensors} with one F32 tensor per module, named {@code <module>.weight},
 * holding the merged task vector in the base weight's stored orientation ([out, in] for linear layers). The
 * header is fixed before the first module is merged, tensors follow in plan order, and the file only gets its
 * name at {@link #commit()}.
 */
public final class DeltaOutput implements Merger.Output<DenseModule>, AutoCloseable {
    public static final String FILE_NAME = "delta.safetensors";

    private final SafetensorsWriter writer;

    public DeltaOutput(Path dir, List<ModulePlan> plans) {
        List<TensorSpec> specs = plans.stream()
                .map(p -> TensorSpec.matrix(p.name() + ".weight", DType.F32, p.slot().rows(), p.slot().cols()))
                .toList();
        this.writer = SafetensorsWriter.open(dir.resolve(FILE_NAME), specs, Map.of("format", "pt"));
    }

    @Override
    public DenseModule finish(ModuleInputs module, ModuleResult result) {
        return DenseModule.prepare(result);
    }

    @Override
    public void write(ModuleInputs module, DenseModule finished) {
        finished.stream(module.module(), (row, values, off, len) -> writer.writeFloats(values, off, len));
    }

    public void commit() {
        writer.commit();
    }

    @Override
    public void close() {
        writer.close();
    }
}
