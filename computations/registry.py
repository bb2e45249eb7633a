"""The computations a post may run, by stable dotted name.

This dict is the whole list: a directive can only call what is bound here, with the
parameters its signature declares. Names are ``<topic>.<result>`` and never change once a
post uses them; rename the function freely, not the key. Targets are ``"module:function"``
strings: reading this file imports no computation, so a build imports only the modules its
directives need, and a module that fails to import fails only its own directives.
"""

from __future__ import annotations

COMPUTATIONS: dict[str, str | tuple[str, str]] = {
    "angles.density": ("computations.angles.experiments:density", "computations.angles.pages:density"),
    "angles.moments": ("computations.angles.experiments:moments", "computations.angles.pages:moments"),
    "angles.concentration": (
        "computations.angles.experiments:concentration",
        "computations.angles.pages:concentration",
    ),
    "batchnorm.centering": "computations.batchnorm:centering_report",
    "batchnorm.training": "computations.batchnorm:training_report",
    "batchnorm.smoothness": "computations.batchnorm:smoothness_report",
    "denoising.identity": "computations.denoising:identity_report",
    "denoising.learned_score": "computations.denoising:learned_score_report",
    "denoising.langevin": "computations.denoising:langevin_report",
    "ellipses.perimeter": "computations.ellipses:perimeter_report",
    "ellipses.seam": "computations.ellipses:seam_report",
    "ellipses.solid": "computations.ellipses:solid_report",
    "hsic.dependence": "computations.hsic:dependence_report",
    "hsic.noise": "computations.hsic:noise_report",
    "hsic.null": "computations.hsic:null_report",
    "hsic.article_demo": "computations.hsic:article_demo_report",
    "masks.lm_figures": "computations.masks:lm_figures_report",
    "masks.seq2seq_figures": "computations.masks:seq2seq_figures_report",
    "masks.leak_test": "computations.masks:leak_test_report",
    "masks.permutation": "computations.masks:permutation_report",
    "newwords.discover": "computations.newwords:discover_report",
    "newwords.segmentation_score": "computations.newwords:segmentation_report",
    "newwords.sweep": "computations.newwords:sweep_report",
    "wordcount.vocabulary": (
        "computations.wordcount.experiments:vocabulary",
        "computations.wordcount.pages:vocabulary",
    ),
    "wordcount.strategies": (
        "computations.wordcount.experiments:strategies",
        "computations.wordcount.pages:strategies",
    ),
    "wordcount.dict_growth": (
        "computations.wordcount.experiments:dict_growth",
        "computations.wordcount.pages:dict_growth",
    ),
}

# These measure wall time: the build runs them one at a time, after all the others, with
# every core to themselves, so that no other computation distorts what they report. This
# set is the one declaration of "measures time": their pages also show the run time, so two
# builds of the same tree may differ on their pages and on no others (README, "How a build
# runs"). The newwords reports belong here too: they tabulate seconds per stage, characters
# per second and segmentation time.
EXCLUSIVE: frozenset[str] = frozenset(
    {
        "wordcount.strategies",
        "wordcount.dict_growth",
        "newwords.discover",
        "newwords.segmentation_score",
        "newwords.sweep",
    }
)
