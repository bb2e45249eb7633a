"""Counting word frequencies in one process and in many (spaces.ac.cn/archives/7031).

Su Jianlin counted the words of THUCNews three ways: a loop that adds every token to one
global dict (about 20 min); the same loop into a fresh dict per batch of 1000 texts, each
batch merged into the total (about 8 min); and batches handed to 10 worker processes through
a bounded queue, a callback merging each worker's dict into the total (55 s). 10 processes
being 20 times faster than one looked "superlinear"; his explanation is that updating an
ever-growing dict gets slower, so the naive loop is the odd one out, and the fair efficiency
of the parallel version (against the batched loop) is about 0.8 per process.

The topic has five modules:

* ``counting`` — segmentation (rjieba) and the three strategies, plus a digest to compare
  counts after they are stored;
* ``pool`` — the worker pool the parallel strategy runs on (generic, forked processes);
* ``timing`` — the instruments: per batch, per chunk of a growing dict, per synthetic dict
  size, strategies in shuffled rounds, and a description of the machine;
* ``experiments`` — the run stage of each directive: vocabulary, strategies, dict growth;
* ``pages`` — the present stage: tables, the figure and the checks drawn from each result.

Timings are measured on the build machine and reported, never asserted: the checks are
about correctness (every strategy yields the same counts).
"""
