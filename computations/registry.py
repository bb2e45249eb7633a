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
    "batchnorm.centering": (
        "computations.batchnorm.experiments:centering",
        "computations.batchnorm.pages:centering",
    ),
    "batchnorm.training": ("computations.batchnorm.experiments:training", "computations.batchnorm.pages:training"),
    "batchnorm.smoothness": (
        "computations.batchnorm.experiments:smoothness",
        "computations.batchnorm.pages:smoothness",
    ),
    "denoising.identity": ("computations.denoising.experiments:identity", "computations.denoising.pages:identity"),
    "denoising.learned_score": (
        "computations.denoising.experiments:learned_score",
        "computations.denoising.pages:learned_score",
    ),
    "denoising.langevin": ("computations.denoising.experiments:langevin", "computations.denoising.pages:langevin"),
    "ellipses.perimeter": ("computations.ellipses.experiments:perimeter", "computations.ellipses.pages:perimeter"),
    "ellipses.seam": ("computations.ellipses.experiments:seam", "computations.ellipses.pages:seam"),
    "ellipses.solid": ("computations.ellipses.experiments:solid", "computations.ellipses.pages:solid"),
    "hsic.dependence": ("computations.hsic.experiments:dependence", "computations.hsic.pages:dependence"),
    "hsic.noise": ("computations.hsic.experiments:noise", "computations.hsic.pages:noise"),
    "hsic.null": ("computations.hsic.experiments:null", "computations.hsic.pages:null"),
    "hsic.article_demo": ("computations.hsic.experiments:article_demo", "computations.hsic.pages:article_demo"),
    "masks.lm_figures": ("computations.masks.experiments:lm_figures", "computations.masks.pages:lm_figures"),
    "masks.seq2seq_figures": (
        "computations.masks.experiments:seq2seq_figures",
        "computations.masks.pages:seq2seq_figures",
    ),
    "masks.leak_test": ("computations.masks.experiments:leak_test", "computations.masks.pages:leak_test"),
    "masks.permutation": ("computations.masks.experiments:permutation", "computations.masks.pages:permutation"),
    "newwords.discover": ("computations.newwords.experiments:discover", "computations.newwords.pages:discover"),
    "newwords.segmentation_score": (
        "computations.newwords.experiments:segmentation_score",
        "computations.newwords.pages:segmentation_score",
    ),
    "newwords.sweep": ("computations.newwords.experiments:sweep", "computations.newwords.pages:sweep"),
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
