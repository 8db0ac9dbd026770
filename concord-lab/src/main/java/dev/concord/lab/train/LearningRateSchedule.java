package dev.concord.lab.train;

/**
 * Linear warm-up to the peak learning rate, then a cosine decay to {@code floor · peak} at the last step, as the
 * torch prototype's {@code lr_at}: step s < warmup gives {@code peak·(s + 1)/warmup}; after it, with progress
 * {@code p = (s − warmup)/(steps − warmup)}, {@code peak·(floor + (1 − floor)·(1 + cos(π·p))/2)}.
 */
record LearningRateSchedule(double peak, int warmup, int steps, double floor) {
    double at(int step) {
        if (step < warmup) {
            return peak * (step + 1) / warmup;
        }
        double progress = (double) (step - warmup) / Math.max(1, steps - warmup);
        return peak * (floor + (1 - floor) * 0.5 * (1 + Math.cos(Math.PI * progress)));
    }
}
