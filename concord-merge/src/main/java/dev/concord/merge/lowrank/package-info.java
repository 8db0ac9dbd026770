/**
 * Merge methods whose result stays factored: {@code tsv} (Task Singular Vectors, TSV-M), {@code knots} (KnOTS) and
 * {@code lora_lego} (LoRA-LEGO). Each works on the LoRA factors of the task vectors — exact SVDs of low-rank
 * products through QR of the factors, polar factors of stacked singular vectors, rank-one units — and never forms
 * a dense model-sized matrix. They register through {@code META-INF/services/dev.concord.merge.MergeMethod}.
 *
 * <p>docs/merge-methods.md ("Low-rank methods") states every formula and where Concord departs from the papers'
 * code.
 */
package dev.concord.merge.lowrank;
