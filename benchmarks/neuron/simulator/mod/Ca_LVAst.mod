: Low-voltage-activated (T-type) Ca2+ current (Avery & Johnston 1996, shifted by -10 mV, as in Hay et al. 2011).
NEURON {
    SUFFIX Ca_LVAst
    USEION ca READ eca WRITE ica
    RANGE gbar, g
}
UNITS { (S) = (siemens) (mV) = (millivolt) (mA) = (milliamp) }
PARAMETER { gbar = 0.00001 (S/cm2) }
ASSIGNED { v (mV) celsius (degC) eca (mV) ica (mA/cm2) g (S/cm2) mInf mTau (ms) hInf hTau (ms) }
STATE { m h }
BREAKPOINT {
    SOLVE states METHOD cnexp
    g = gbar*m*m*h
    ica = g*(v - eca)
}
DERIVATIVE states {
    rates(v)
    m' = (mInf - m)/mTau
    h' = (hInf - h)/hTau
}
INITIAL { rates(v) m = mInf h = hInf }
UNITSOFF
PROCEDURE rates(v) { LOCAL qt, u
    qt = 2.3^((celsius - 21)/10)
    u = v + 10
    mInf = 1/(1 + exp((u + 30)/-6))
    mTau = (5 + 20/(1 + exp((u + 25)/5)))/qt
    hInf = 1/(1 + exp((u + 80)/6.4))
    hTau = (20 + 50/(1 + exp((u + 40)/7)))/qt
}
UNITSON
