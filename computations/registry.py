"""The computations a post may run, by stable dotted name.

This dict is the whole list: a directive can only call what is bound here, with the
parameters its signature declares. Names are ``<topic>.<result>`` and never change once a
post uses them; rename the function freely, not the key.
"""

from __future__ import annotations

from collections.abc import Callable

from computations import angles, batchnorm, denoising, ellipses, hsic, masks, newwords, wordcount
from computations.report import Report

COMPUTATIONS: dict[str, Callable[..., Report]] = {
    "angles.density": angles.density_report,
    "angles.moments": angles.moments_report,
    "angles.concentration": angles.concentration_report,
    "batchnorm.centering": batchnorm.centering_report,
    "batchnorm.training": batchnorm.training_report,
    "batchnorm.smoothness": batchnorm.smoothness_report,
    "denoising.identity": denoising.identity_report,
    "denoising.learned_score": denoising.learned_score_report,
    "denoising.langevin": denoising.langevin_report,
    "ellipses.perimeter": ellipses.perimeter_report,
    "ellipses.seam": ellipses.seam_report,
    "ellipses.solid": ellipses.solid_report,
    "hsic.dependence": hsic.dependence_report,
    "hsic.noise": hsic.noise_report,
    "hsic.null": hsic.null_report,
    "hsic.article_demo": hsic.article_demo_report,
    "masks.lm_figures": masks.lm_figures_report,
    "masks.seq2seq_figures": masks.seq2seq_figures_report,
    "masks.leak_test": masks.leak_test_report,
    "masks.permutation": masks.permutation_report,
    "newwords.discover": newwords.discover_report,
    "newwords.segmentation_score": newwords.segmentation_report,
    "newwords.sweep": newwords.sweep_report,
    "wordcount.vocabulary": wordcount.vocabulary_report,
    "wordcount.strategies": wordcount.strategies_report,
    "wordcount.dict_growth": wordcount.dict_growth_report,
}

# These measure wall time: the build runs them one at a time, after all the others, with
# every core to themselves, so that no other computation distorts what they report.
EXCLUSIVE: frozenset[str] = frozenset({"wordcount.strategies", "wordcount.dict_growth"})
