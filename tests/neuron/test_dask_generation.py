"""`repbench data simulate --executor dask`: one Dask task per chunk gives the same dataset as one process."""

import pytest

from repbench.benchmarks.neuron.data.dataset import Dataset, DatasetSpec, generate

from .test_dataset import _same

pytest.importorskip("distributed")
SMALL_L5PC = DatasetSpec(cell="l5pc-nmda", trial_ms=200, trials_per_chunk=1, fixed_dt=0.1, model="demo")


def test_dask_chunks_equal_local_ones(data_dir):
    serial = Dataset.open(SMALL_L5PC)
    generate(serial, 0.6, progress=False)
    on_dask = Dataset.open(SMALL_L5PC, root=data_dir / "dask")
    assert sorted(generate(on_dask, 0.6, jobs=2, progress=False, executor="dask")) == [0, 1, 2]
    assert all(_same(x, y) for x, y in zip(serial.trials(0.6), on_dask.trials(0.6), strict=True))
    assert generate(on_dask, 0.6, jobs=2, progress=False, executor="dask") == []  # resumes: nothing left
