: Muscarinic K+ current (Adams et al. 1982 as parametrised by Hay et al. 2011).
NEURON {
    SUFFIX Im
    USEION k READ ek WRITE ik
    RANGE gbar, g
}
UNITS { (S) = (siemens) (mV) = (millivolt) (mA) = (milliamp) }
PARAMETER { gbar = 0.00001 (S/cm2) }
ASSIGNED { v (mV) celsius (degC) ek (mV) ik (mA/cm2) g (S/cm2) mInf mTau (ms) }
STATE { m }
BREAKPOINT {
    SOLVE states METHOD cnexp
    g = gbar*m
    ik = g*(v - ek)
}
DERIVATIVE states { rates(v) m' = (mInf - m)/mTau }
INITIAL { rates(v) m = mInf }
UNITSOFF
PROCEDURE rates(v) { LOCAL qt, a, b
    qt = 2.3^((celsius - 21)/10)
    a = 3.3e-3*exp(2.5*0.04*(v + 35))
    b = 3.3e-3*exp(-2.5*0.04*(v + 35))
    mInf = a/(a + b)
    mTau = 1/(a + b)/qt
}
UNITSON
