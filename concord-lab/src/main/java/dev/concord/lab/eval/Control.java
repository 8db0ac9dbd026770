package dev.concord.lab.eval;

/**
 * The base model's perplexity on pretraining-style text, a control that does not depend on the composition: a
 * fixed sample of the lab's noisy pretraining stream (skill prompts with answers drawn from each skill's family of
 * confusable operations), scored on the answer tokens and their end-of-sequence token, the tokens the base is
 * trained on.
 *
 * @param perplexity exp(mean negative log-likelihood per scored token)
 * @param tokens     tokens scored
 * @param examples   examples drawn
 * @param seed       seed of the stream
 * @param stream     stream number of the stream
 */
public record Control(double perplexity, long tokens, int examples, long seed, long stream) {}
