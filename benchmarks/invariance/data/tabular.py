"""UCI Adult and German credit as (X, y, s) arrays: one-hot categoricals, standardised numbers, the
protected column left out of X (as in Louizos et al.'s VFAE setup, ICLR 2016; Jaiswal et al. do not say)."""

from __future__ import annotations

import functools
import io

import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from repbench.data.files import RemoteFile, missing, read_verified, register_source

UCI = "https://archive.ics.uci.edu/ml/machine-learning-databases/"
ADULT = {  # MD5s as the UCI repository lists them
    "adult.data": RemoteFile("adult/adult.data", "5b00264637dbfec36bdeaab5676b0b309ff9eb788d63554ca0a249491c86603d",
                             (f"{UCI}adult/adult.data",), content_md5="5d7c39d7b8804f071cdd1f2a7c460872"),
    "adult.test": RemoteFile("adult/adult.test", "a2a9044bc167a35b2361efbabec64e89d69ce82d9790d2980119aac5fd7e9c05",
                             (f"{UCI}adult/adult.test",), content_md5="35238206dfdf7f1fe215bbb874adecdc"),
}
GERMAN = RemoteFile("german/german.data", "e2bc10785808eeb5e30462f0805edb73a672f295bc671dec0bca6e2fb5c8e1ca",
                    (f"{UCI}statlog/german/german.data",), content_md5="8254c99f6995c7800132bf2077b1583e")
register_source("adult", ADULT.values(), "Kohavi (1996), UCI Adult; https://archive.ics.uci.edu/dataset/2/adult")
register_source("german", [GERMAN], "Hofmann (1994), UCI Statlog (German credit data); "
                "https://archive.ics.uci.edu/dataset/144/statlog+german+credit+data")
ADULT_COLUMNS = (
    "age", "workclass", "fnlwgt", "education", "education-num", "marital-status", "occupation",
    "relationship", "race", "sex", "capital-gain", "capital-loss", "hours-per-week", "native-country", "income",
)
# german.data: 20 attributes (A1..A20, categorical ones coded "A<attr><level>") and the class (1 good, 2 bad)
GERMAN_NUMERIC = (1, 4, 7, 10, 12, 15, 17)  # 0-based columns: duration, amount, rate, residence, age, credits, people
GERMAN_AGE = 12


def missing_adult() -> list[str]:
    return [m for file in ADULT.values() if (m := missing(file))]


def missing_german() -> list[str]:
    return [m for m in [missing(GERMAN)] if m]


@functools.lru_cache(maxsize=1)
def adult_frames() -> tuple[pd.DataFrame, pd.DataFrame]:
    """(train, test) as published, rows with a missing value ("?") dropped, labels without the test's dot."""
    frames = []
    for name in ("adult.data", "adult.test"):
        raw = read_verified(ADULT[name])
        frame = pd.read_csv(io.BytesIO(raw), names=ADULT_COLUMNS, skipinitialspace=True, na_values="?",
                            comment="|")  # adult.test opens with a "|1x3 Cross validator" line
        frame = frame.dropna().reset_index(drop=True)
        frame["income"] = frame["income"].str.rstrip(".")
        frames.append(frame)
    return frames[0], frames[1]


def adult_targets(frame: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """y = income > 50K, s = male."""
    return (frame["income"] == ">50K").to_numpy(np.int64), (frame["sex"] == "Male").to_numpy(np.int64)


@functools.lru_cache(maxsize=1)
def german_frame() -> pd.DataFrame:
    raw = read_verified(GERMAN)
    frame = pd.read_csv(io.BytesIO(raw), sep=r"\s+", header=None)
    if frame.shape != (1000, 21):
        raise ValueError(f"german.data has shape {frame.shape}, expected (1000, 21)")
    return frame


def german_targets(frame: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """y = good credit (class 1), s = age > 25."""
    return (frame[20] == 1).to_numpy(np.int64), (frame[GERMAN_AGE] > 25).to_numpy(np.int64)


def encoder(numeric: list, categorical: list) -> ColumnTransformer:
    """Fit on training rows only: standardised numbers, one-hot categories (unseen levels -> all zeros)."""
    return ColumnTransformer(
        [("num", StandardScaler(), numeric),
         ("cat", OneHotEncoder(handle_unknown="ignore", sparse_output=False), categorical)]
    )


def adult_encoder(keep_sex: bool = False) -> ColumnTransformer:
    numeric = ["age", "fnlwgt", "education-num", "capital-gain", "capital-loss", "hours-per-week"]
    dropped = ("income",) if keep_sex else ("sex", "income")
    categorical = [c for c in ADULT_COLUMNS if c not in numeric and c not in dropped]
    return encoder(numeric, categorical)


def german_encoder(keep_age: bool = False) -> ColumnTransformer:
    numeric = [c for c in GERMAN_NUMERIC if keep_age or c != GERMAN_AGE]
    categorical = [c for c in range(20) if c not in GERMAN_NUMERIC]
    return encoder(numeric, categorical)
