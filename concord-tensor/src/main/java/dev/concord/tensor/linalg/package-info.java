/**
 * Linear algebra on LoRA task vectors, in double precision: {@link dev.concord.tensor.linalg.LowRank} (factored
 * s·B·A with inner products, norms, exact sums, exact thin SVD and row-block densification),
 * {@link dev.concord.tensor.linalg.HouseholderQr}, {@link dev.concord.tensor.linalg.DenseSvd} for small cores,
 * {@link dev.concord.tensor.linalg.Polar} (polar factor / Procrustes, for TSV merging),
 * {@link dev.concord.tensor.linalg.SharedBasis} (several low-rank terms in one pair of orthonormal bases),
 * {@link dev.concord.tensor.linalg.RandomizedSvd} for large dense matrices streamed as row blocks, and
 * {@link dev.concord.tensor.linalg.PrincipalAngles} for subspace overlap.
 *
 * <p>{@link dev.concord.tensor.FloatMatrix} is the exchange type with the rest of Concord; EJML's
 * {@code DMatrixRMaj} is the double-precision type for small matrices. Low-rank first: nothing here forms a dense
 * model-sized matrix unless asked to, and nothing runs a full SVD of one.
 */
package dev.concord.tensor.linalg;
