"""Unsupervised word discovery from raw Chinese text (spaces.ac.cn/archives/6920).

Su Jianlin builds a lexicon from unsegmented text: count character n-grams, keep the
"solid" ones whose cohesion (minimum PMI over split points) reaches a threshold, cut the
text wherever no kept n-gram holds two neighbouring characters together, and keep the
frequent pieces that pass a back-check. The article then scores the lexicon as jieba's only
dictionary against a gold segmentation. The topic has four modules:

* ``theory`` — the algorithm on integer arrays, and plain-Python references for it;
* ``segmentation`` — the SIGHAN word-span scorer, the lexicon segmenter, the gold words;
* ``experiments`` — the run stage of each directive: discover, segmentation_score, sweep;
* ``pages`` — the present stage: figures, tables and checks drawn from each run's result.
"""
