: Kv3.1 fast delayed-rectifier K+ current (Rettig et al. 1992 as parametrised by Hay et al. 2011).
NEURON {
    SUFFIX SKv3_1
    USEION k READ ek WRITE ik
    RANGE gbar, g
}
UNITS { (S) = (siemens) (mV) = (millivolt) (mA) = (milliamp) }
PARAMETER { gbar = 0.00001 (S/cm2) }
ASSIGNED { v (mV) ek (mV) ik (mA/cm2) g (S/cm2) mInf mTau (ms) }
STATE { m }
BREAKPOINT {
    SOLVE states METHOD cnexp
    g = gbar*m
    ik = g*(v - ek)
}
DERIVATIVE states { rates(v) m' = (mInf - m)/mTau }
INITIAL { rates(v) m = mInf }
UNITSOFF
PROCEDURE rates(v) {
    mInf = 1/(1 + exp((v - 18.7)/-9.7))
    mTau = 0.2*20/(1 + exp((v + 46.56)/-44.14))
}
UNITSON
