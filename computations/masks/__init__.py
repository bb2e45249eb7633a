"""Attention masks: one Transformer, many models (spaces.ac.cn/archives/6933).

Su Jianlin's point is that self-attention builds an n×n matrix of query–key weights, and
that the pre-training schemes of 2019 differ only in which entries of that matrix they
forbid: all allowed is BERT (bidirectional), lower-triangular is a left-to-right language
model (GPT), a lower triangle shuffled by a permutation is XLNet's permuted language model,
and UniLM's block mask (bidirectional inside the source, causal inside the target) turns
one BERT into a seq2seq model. The topic has five modules:

* ``theory`` — the masks and the sequences they are drawn for (the mathematics);
* ``transformer`` — a small random post-LN Transformer in numpy with masked attention;
* ``probes`` — measurements of what each output depends on: perturb inputs, watch outputs;
  run a permuted language model both ways;
* ``experiments`` — the run stage of each directive: lm_figures, seq2seq_figures,
  leak_test, permutation;
* ``pages`` — the present stage: figures, tables and checks drawn from each run's result.

The article's example sentences live in ``examples.json``, so that only ``pages`` holds
Chinese text among the modules.
"""
