package dev.concord.lab.calibrate;

/**
 * One point of the search for DAREx's q.
 *
 * @param q         the rescale denominator tried (survivors times 1/q)
 * @param objective the mean squared change of the last-layer outputs it gives (see {@link DarexCalibration})
 */
public record QEvaluation(double q, double objective) {}
