/**
 * PEFT LoRA adapters as Concord sees them.
 *
 * <ul>
 *   <li>{@link dev.concord.adapter.LoraConfig}: adapter_config.json, with PEFT's per-module rank/alpha/scaling
 *       resolution and its target rule;</li>
 *   <li>{@link dev.concord.adapter.LoraAdapter}: a validated, memory-mapped adapter directory, made of
 *       {@link dev.concord.adapter.LoraModule}s whose factors are read on demand;</li>
 *   <li>{@link dev.concord.adapter.TaskVector}: a module's weight update {@code scale · left · right} kept
 *       factored (norms and inner products from Gram matrices, dense values by row block);</li>
 *   <li>{@link dev.concord.adapter.AdapterWriter} and {@link dev.concord.adapter.ModuleFactors}: atomic,
 *       deterministic output of PEFT adapter directories;</li>
 *   <li>{@link dev.concord.adapter.SyntheticAdapters}: seeded random adapters for demos and benchmarks.</li>
 * </ul>
 *
 * Semantics follow Hugging Face PEFT's LoRA code ({@code tuners/lora/config.py}, {@code tuners_utils.py}
 * check_target_module_exists, {@code utils/other.py} get_pattern_key, {@code utils/save_and_load.py}); the
 * classes say where Concord deliberately differs.
 */
package dev.concord.adapter;
