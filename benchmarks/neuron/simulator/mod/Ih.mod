: Hyperpolarisation-activated cation current (Kole et al. 2006 as parametrised by Hay et al. 2011).
NEURON {
    SUFFIX Ih
    NONSPECIFIC_CURRENT ihcn
    RANGE gbar, g, ehcn
}
UNITS { (S) = (siemens) (mV) = (millivolt) (mA) = (milliamp) }
PARAMETER { gbar = 0.00001 (S/cm2) ehcn = -45 (mV) }
ASSIGNED { v (mV) ihcn (mA/cm2) g (S/cm2) mInf mTau (ms) }
STATE { m }
BREAKPOINT {
    SOLVE states METHOD cnexp
    g = gbar*m
    ihcn = g*(v - ehcn)
}
DERIVATIVE states { rates(v) m' = (mInf - m)/mTau }
INITIAL { rates(v) m = mInf }
UNITSOFF
PROCEDURE rates(v) { LOCAL a, b, x
    x = -(v + 154.9)
    if (fabs(x/11.9) < 1e-6) { a = 0.001*6.43*(11.9 + x/2) } else { a = 0.001*6.43*x/(1 - exp(-x/11.9)) }
    b = 0.001*193*exp(v/33.1)
    mInf = a/(a + b)
    mTau = 1/(a + b)
}
UNITSON
