r"""course_lib: the small library behind "Optimizing Neural Networks".

Layers (imports only go downwards):

* numerical core, numpy only: :mod:`averages`, :mod:`optimizers`, :mod:`schedules`,
  :mod:`trace`, :mod:`tree` (and later batch norm, test functions, data);
* proofs, sympy: :mod:`proofs`;
* plotting, matplotlib: :mod:`plotting`; interactive tools, ipywidgets: :mod:`widgets`.

Notation (the full table is in ``notebooks/00_start_here.ipynb``):

=========  ===================================  ===============  =====================
symbol     meaning                              course_lib       PyTorch
=========  ===================================  ===============  =====================
eta        step size                            ``lr``           ``lr``
gamma      momentum / averaging weight (old)    ``gamma``        ``momentum``, ``alpha``
beta1      Adam's first-moment weight           ``beta1``        ``betas[0]``
beta2      Adam's second-moment weight          ``beta2``        ``betas[1]``
rho        Adadelta's averaging weight          ``rho``          ``rho``
eps        guard against division by zero       ``eps``          ``eps``
=========  ===================================  ===============  =====================
"""
__version__ = "0.1.0"
