"""A progress bar for seed_demo's bulk steps that stays quiet when not on a terminal."""

from collections.abc import Callable, Iterable

from tqdm import tqdm


def run_steps(steps: Iterable[tuple[str, Callable[[], None]]], *, show: bool, desc: str) -> None:
    """Run (label, step) pairs in order, one tick each."""
    steps = list(steps)
    with tqdm(total=len(steps), desc=desc, unit="step", disable=not show) as bar:
        for label, step in steps:
            bar.set_postfix_str(label)
            step()
            bar.update()
