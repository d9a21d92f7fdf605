"""EM and the exact Gaussian posterior behind the rater-effects model.

Observations k (individual ratings, or interview scores in interview mode) follow

    r_k = mu + theta_i + gamma_q + b_j + e_k,   e_k ~ N(0, sigma_j^2)

where q is the observation's cell (candidate x competency; in interview mode each interview is
its own cell and gamma is switched off). Each candidate's block (theta_i and its gammas) has an
arrow-shaped precision, so it is eliminated in closed form; what is left is a (J + 1) x (J + 1)
Schur complement for the leniencies and mu. Everything that couples effects is a sum over pairs
of non-zeros that meet in the same candidate or the same cell; those pairs are built once and
every EM iteration accumulates them with ``np.bincount``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import linalg

from ._groups import FloatArray, IntArray, group_codes, within_group_pairs


class DegenerateFitError(RuntimeError):
    """EM left the region where the model means anything."""


@dataclass(frozen=True)
class Observations:
    """What the engine fits: one value per observation with its codes."""

    value: FloatArray
    candidate: IntArray
    interviewer: IntArray
    cell: IntArray
    n_candidates: int
    n_interviewers: int
    n_cells: int


@dataclass(frozen=True)
class HalfPairs:
    """Unordered pairs of distinct entries that share a row (candidate or cell)."""

    first: IntArray
    second: IntArray
    row: IntArray
    flat: IntArray
    """Flat index col_first * (J + 1) + col_second into the interviewer-block matrix."""

    @classmethod
    def build(cls, row: IntArray, col: IntArray, n_rows: int, side: int) -> HalfPairs:
        first, second = within_group_pairs(row, n_rows)
        distinct = first < second
        first, second = first[distinct], second[distinct]
        return cls(
            first=first,
            second=second,
            row=row[first],
            flat=(col[first] * side + col[second]).astype(np.intp),
        )


@dataclass(frozen=True)
class Design:
    """Sufficient statistics and the sparsity pattern, built once per fit.

    A "cell entry" is a (cell, interviewer) pair with observations, a "candidate entry" a
    (candidate, interviewer) pair; both couple a row of the candidate block to one leniency.
    Every row also couples to mu (column J); those terms are handled in closed form.
    """

    n_candidates: int
    n_interviewers: int
    n_cells: int
    candidate_present: IntArray
    cell_candidate: IntArray
    ce_cell: IntArray
    ce_interviewer: IntArray
    ce_entry: IntArray
    ce_count: FloatArray
    ce_sum: FloatArray
    ce_sumsq: FloatArray
    entry_row: IntArray
    entry_col: IntArray
    candidate_pairs: HalfPairs
    cell_pairs: HalfPairs
    interviewer_count: FloatArray
    value_var: float
    within_var: float

    @classmethod
    def build(cls, observations: Observations) -> Design:
        present = np.flatnonzero(
            np.bincount(observations.candidate, minlength=observations.n_candidates)
        )
        recode = np.full(observations.n_candidates, -1, dtype=np.intp)
        recode[present] = np.arange(present.shape[0])
        candidate = recode[observations.candidate]
        n_cand = int(present.shape[0])
        n_int = observations.n_interviewers
        side = n_int + 1
        cell, cell_first, n_cells = group_codes(observations.cell)
        cell_candidate = candidate[cell_first]
        value = observations.value
        ce, ce_first, n_ce = group_codes(cell, observations.interviewer)
        ce_cell = cell[ce_first]
        ce_interviewer = observations.interviewer[ce_first]
        entry, entry_first, _ = group_codes(cell_candidate[ce_cell], ce_interviewer)
        entry_row = cell_candidate[ce_cell][entry_first]
        entry_col = ce_interviewer[entry_first]
        counts = np.bincount(candidate, minlength=n_cand).astype(np.float64)
        sums = np.bincount(candidate, value, minlength=n_cand)
        squares = np.bincount(candidate, value**2, minlength=n_cand)
        dof = float((counts - 1.0).clip(min=0.0).sum())
        within = float((squares - sums**2 / np.maximum(counts, 1.0)).sum() / dof) if dof else 0.0
        return cls(
            n_candidates=n_cand,
            n_interviewers=n_int,
            n_cells=n_cells,
            candidate_present=present.astype(np.intp),
            cell_candidate=cell_candidate,
            ce_cell=ce_cell,
            ce_interviewer=ce_interviewer,
            ce_entry=entry,
            ce_count=np.bincount(ce, minlength=n_ce).astype(np.float64),
            ce_sum=np.bincount(ce, value, minlength=n_ce).astype(np.float64),
            ce_sumsq=np.bincount(ce, value**2, minlength=n_ce).astype(np.float64),
            entry_row=entry_row,
            entry_col=entry_col,
            candidate_pairs=HalfPairs.build(entry_row, entry_col, n_cand, side),
            cell_pairs=HalfPairs.build(ce_cell, ce_interviewer, n_cells, side),
            interviewer_count=np.bincount(observations.interviewer, minlength=n_int).astype(
                np.float64
            ),
            value_var=float(np.var(value)),
            within_var=within if within > 0 else float(np.var(value)),
        )


@dataclass(frozen=True)
class VarianceState:
    """Variance components: ability s_t^2, competency s_g^2, leniency s_b^2, noise sigma_j^2."""

    ability: float
    competency: float
    leniency: float
    noise: FloatArray

    def log_vector(self, with_competency: bool) -> FloatArray:
        head = [self.ability, self.leniency] + ([self.competency] if with_competency else [])
        return np.log(np.concatenate((head, self.noise)))

    @classmethod
    def from_log(cls, vector: FloatArray, with_competency: bool) -> VarianceState:
        values = np.exp(vector)
        offset = 3 if with_competency else 2
        return cls(
            ability=float(values[0]),
            leniency=float(values[1]),
            competency=float(values[2]) if with_competency else 0.0,
            noise=values[offset:].copy(),
        )


@dataclass(frozen=True)
class Posterior:
    """Exact Gaussian posterior given the variance components (codes are the design's)."""

    theta: FloatArray
    theta_var: FloatArray
    gamma: FloatArray
    gamma_var: FloatArray
    beta: FloatArray
    beta_cov: FloatArray
    mu_cross: FloatArray
    """Minus Cov(theta_i, mu), per candidate."""
    predicted_var: FloatArray
    """Var(theta + gamma + b_j + mu) for each cell entry."""


def _subtract_outer(
    schur: FloatArray,
    pairs: HalfPairs,
    row: IntArray,
    col: IntArray,
    value: FloatArray,
    mu_value: FloatArray,
    scale: FloatArray,
) -> None:
    """schur -= sum over rows r of scale_r v_r v_r', v_r = sum_e value_e e_col + mu_value_r e_J."""
    side = schur.shape[0]
    last = side - 1
    off = np.bincount(
        pairs.flat,
        scale[pairs.row] * value[pairs.first] * value[pairs.second],
        minlength=side * side,
    ).reshape(side, side)
    schur -= off + off.T
    row_scale = scale[row]
    diagonal = np.arange(side)
    schur[diagonal, diagonal] -= np.bincount(col, row_scale * value**2, minlength=side)
    cross = np.bincount(col, row_scale * value * mu_value[row], minlength=side)
    schur[:, last] -= cross
    schur[last, :] -= cross
    schur[last, last] -= float(np.sum(scale * mu_value**2))


def _quadratic_forms(
    pairs: HalfPairs,
    row: IntArray,
    col: IntArray,
    value: FloatArray,
    mu_value: FloatArray,
    n_rows: int,
    cov: FloatArray,
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """For v_r as in _subtract_outer: v_r' C v_r, (C v_r) at each entry's column, and at mu."""
    last = cov.shape[0] - 1
    pair_cov = cov.ravel()[pairs.flat]
    own_cov = cov[col, col]
    mu_cov = cov[col, last]
    first, second = pairs.first, pairs.second
    row_mu = mu_value[row]
    quad = (
        2.0 * np.bincount(pairs.row, value[first] * value[second] * pair_cov, minlength=n_rows)
        + np.bincount(row, value**2 * own_cov + 2.0 * value * row_mu * mu_cov, minlength=n_rows)
        + mu_value**2 * cov[last, last]
    )
    size = value.shape[0]
    cross = (
        np.bincount(first, value[second] * pair_cov, minlength=size)
        + np.bincount(second, value[first] * pair_cov, minlength=size)
        + value * own_cov
        + row_mu * mu_cov
    )
    cross_mu = np.bincount(row, value * mu_cov, minlength=n_rows) + mu_value * cov[last, last]
    return quad, cross, cross_mu


def e_step(design: Design, variances: VarianceState) -> Posterior:
    """Posterior of (theta, gamma, b, mu) by eliminating each candidate's arrow block."""
    n_cand, n_int, n_cells = design.n_candidates, design.n_interviewers, design.n_cells
    side = n_int + 1
    s_g = variances.competency
    with_gamma = s_g > 0.0
    weight = 1.0 / variances.noise
    j = design.ce_interviewer
    kappa = design.ce_count * weight[j]
    cell_weight = np.bincount(design.ce_cell, kappa, minlength=n_cells).astype(np.float64)
    keep = 1.0 / (1.0 + s_g * cell_weight)  # 1 - f_q
    alpha = s_g * keep  # gamma's conditional variance 1 / d_q
    shrink = 1.0 - keep  # f_q
    omega = cell_weight * keep
    coupling_mu = np.bincount(design.cell_candidate, omega, minlength=n_cand).astype(np.float64)
    precision = (1.0 / variances.ability + coupling_mu).astype(np.float64)
    rho = weight[j] * design.ce_sum
    cell_rhs = np.bincount(design.ce_cell, rho, minlength=n_cells)
    coupling = np.bincount(
        design.ce_entry, keep[design.ce_cell] * kappa, minlength=design.entry_row.shape[0]
    )
    u = coupling / precision[design.entry_row]
    u_mu = coupling_mu / precision

    per_interviewer = np.bincount(j, kappa, minlength=n_int)
    schur = np.zeros((side, side))
    diagonal = np.arange(n_int)
    schur[diagonal, diagonal] = 1.0 / variances.leniency + per_interviewer
    schur[n_int, :n_int] = per_interviewer
    schur[:n_int, n_int] = per_interviewer
    schur[n_int, n_int] = cell_weight.sum()
    _subtract_outer(
        schur, design.candidate_pairs, design.entry_row, design.entry_col, u, u_mu, precision
    )
    tau = np.bincount(design.cell_candidate, keep * cell_rhs, minlength=n_cand) / precision
    scaled_tau = precision * tau
    rhs = np.append(np.bincount(j, rho, minlength=n_int), cell_rhs.sum())
    rhs -= np.bincount(design.entry_col, scaled_tau[design.entry_row] * u, minlength=side)
    rhs[n_int] -= float(np.sum(scaled_tau * u_mu))
    if with_gamma:
        _subtract_outer(schur, design.cell_pairs, design.ce_cell, j, kappa, cell_weight, alpha)
        alpha_rhs = alpha * cell_rhs
        rhs -= np.bincount(j, alpha_rhs[design.ce_cell] * kappa, minlength=side)
        rhs[n_int] -= float(np.sum(alpha_rhs * cell_weight))
    try:
        factor = linalg.cho_factor(schur, lower=True, check_finite=False)
    except linalg.LinAlgError as error:
        raise DegenerateFitError("interviewer system is not positive definite") from error
    beta = linalg.cho_solve(factor, rhs, check_finite=False)
    beta_cov = linalg.cho_solve(factor, np.eye(side), check_finite=False)

    residual_rhs = (
        cell_rhs
        - np.bincount(design.ce_cell, kappa * beta[j], minlength=n_cells)
        - cell_weight * beta[n_int]
    )
    theta = np.bincount(design.cell_candidate, keep * residual_rhs, minlength=n_cand) / precision
    gamma = alpha * residual_rhs - shrink * theta[design.cell_candidate]

    u_s_u, entry_cross, mu_cross = _quadratic_forms(
        design.candidate_pairs, design.entry_row, design.entry_col, u, u_mu, n_cand, beta_cov
    )
    theta_var = 1.0 / precision + u_s_u
    cross_at_cell = entry_cross[design.ce_entry]
    cell_mu_cross = mu_cross[design.cell_candidate]
    if with_gamma:
        k_s_k, cell_cross, cell_cross_mu = _quadratic_forms(
            design.cell_pairs, design.ce_cell, j, kappa, cell_weight, n_cells, beta_cov
        )
        u_s_k = (
            np.bincount(design.ce_cell, kappa * cross_at_cell, minlength=n_cells)
            + cell_weight * cell_mu_cross
        )
    else:
        k_s_k = np.zeros(n_cells)
        cell_cross = np.zeros(kappa.shape[0])
        cell_cross_mu = np.zeros(n_cells)
        u_s_k = np.zeros(n_cells)
    cell_precision = precision[design.cell_candidate]
    cell_u_s_u = u_s_u[design.cell_candidate]
    gamma_var = (
        alpha
        + shrink**2 / cell_precision
        + shrink**2 * cell_u_s_u
        - 2.0 * shrink * alpha * u_s_k
        + alpha**2 * k_s_k
    )
    sum_var = (
        keep**2 / cell_precision
        + alpha
        + keep**2 * cell_u_s_u
        + 2.0 * keep * alpha * u_s_k
        + alpha**2 * k_s_k
    )
    psi_entry = keep[design.ce_cell] * cross_at_cell + alpha[design.ce_cell] * cell_cross
    psi_mu = keep * cell_mu_cross + alpha * cell_cross_mu
    offset_var = beta_cov[j, j] + beta_cov[n_int, n_int] + 2.0 * beta_cov[j, n_int]
    predicted_var = (
        sum_var[design.ce_cell] + offset_var - 2.0 * psi_entry - 2.0 * psi_mu[design.ce_cell]
    )
    return Posterior(
        theta=theta,
        theta_var=theta_var,
        gamma=gamma,
        gamma_var=gamma_var,
        beta=beta,
        beta_cov=beta_cov,
        mu_cross=mu_cross,
        predicted_var=predicted_var,
    )


def m_step(
    design: Design,
    posterior: Posterior,
    prior_strength: float,
    with_competency: bool,
    floor: float,
) -> tuple[VarianceState, float]:
    """New variance components and the pooled noise variance they were shrunk toward."""
    n_int = design.n_interviewers
    ability = float(np.mean(posterior.theta**2 + posterior.theta_var))
    leniency_var = np.diag(posterior.beta_cov)[:n_int]
    leniency = float(np.mean(posterior.beta[:n_int] ** 2 + leniency_var))
    competency = (
        float(np.mean(posterior.gamma**2 + posterior.gamma_var)) if with_competency else 0.0
    )
    j = design.ce_interviewer
    fitted = (
        posterior.beta[n_int]
        + posterior.theta[design.cell_candidate[design.ce_cell]]
        + posterior.gamma[design.ce_cell]
        + posterior.beta[j]
    )
    squares = design.ce_sumsq - 2.0 * fitted * design.ce_sum + design.ce_count * fitted**2
    expected = squares + design.ce_count * posterior.predicted_var
    residual = np.bincount(j, expected, minlength=n_int)
    pooled = float(residual.sum() / design.interviewer_count.sum())
    noise = (prior_strength * pooled + residual) / (prior_strength + design.interviewer_count)
    state = VarianceState(
        ability=max(ability, floor),
        competency=max(competency, floor) if with_competency else 0.0,
        leniency=max(leniency, floor),
        noise=np.maximum(noise, floor),
    )
    return state, pooled


@dataclass(frozen=True)
class EmResult:
    variances: VarianceState
    pooled_noise: float
    posterior: Posterior
    iterations: int
    converged: bool


_MAX_EXTRAPOLATION = 16.0


def run_em(
    design: Design,
    *,
    prior_strength: float,
    with_competency: bool,
    max_iterations: int,
    tolerance: float,
) -> EmResult:
    """EM for the variance components, accelerated by SQUAREM (Varadhan & Roland 2008).

    Each cycle takes two EM steps, extrapolates along them in log-variance space and takes one
    more EM step from there; if the extrapolated point is unusable the plain EM point is kept.
    The fixed point is the same as plain EM's. ``iterations`` counts EM steps (E + M).
    Convergence: no variance component moves by more than ``tolerance`` times the variance of
    the observations (an absolute criterion, so a component heading to zero still converges).
    """
    scale = design.value_var
    floor = 1e-9 * scale
    within = design.within_var
    state = VarianceState(
        ability=max(scale - within, 0.05 * scale),
        competency=0.15 * within if with_competency else 0.0,
        leniency=0.15 * within,
        noise=np.full(design.n_interviewers, 0.7 * within),
    )
    steps = 0
    pooled = 0.7 * within

    def step(current: VarianceState) -> tuple[VarianceState, float, float]:
        nonlocal steps
        steps += 1
        posterior = e_step(design, current)
        new, pooled_var = m_step(design, posterior, prior_strength, with_competency, floor)
        new_log = new.log_vector(with_competency)
        if not np.all(np.isfinite(new_log)):
            raise DegenerateFitError("variance components are not finite")
        difference = np.exp(new_log) - np.exp(current.log_vector(with_competency))
        return new, pooled_var, float(np.max(np.abs(difference))) / scale

    converged = False
    while steps < max_iterations and not converged:
        first, pooled, change = step(state)
        if change < tolerance:
            state, converged = first, True
            break
        second, pooled, change = step(first)
        if change < tolerance or steps >= max_iterations:
            state, converged = second, change < tolerance
            break
        start = state.log_vector(with_competency)
        r = first.log_vector(with_competency) - start
        v = second.log_vector(with_competency) - first.log_vector(with_competency) - r
        norm_v = float(np.linalg.norm(v))
        state = second
        if norm_v == 0.0:
            continue
        step_size = max(1.0, min(float(np.linalg.norm(r)) / norm_v, _MAX_EXTRAPOLATION))
        jumped = start + 2.0 * step_size * r + step_size**2 * v
        usable = np.all(np.isfinite(jumped)) and np.all(jumped > np.log(floor))
        if step_size > 1.0 and usable and steps < max_iterations:
            try:
                state, pooled, change = step(VarianceState.from_log(jumped, with_competency))
            except DegenerateFitError:
                state = second
    if state.ability < 1e-6 * scale:
        raise DegenerateFitError("candidate ability variance collapsed to zero")
    posterior = e_step(design, state)
    if not (np.all(np.isfinite(posterior.theta)) and np.all(np.isfinite(posterior.beta))):
        raise DegenerateFitError("posterior is not finite")
    return EmResult(state, pooled, posterior, steps, converged)
