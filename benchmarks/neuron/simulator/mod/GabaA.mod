: GABA_A synapse: difference of exponentials (rise 0.2 ms, decay 8 ms), E = -80 mV, normalised to peak at
: gmax for a weight-1 event (Beniaguev et al. 2021). Written for repbench.
NEURON {
    POINT_PROCESS GabaA
    RANGE tau_r, tau_d, gmax, e, g
    NONSPECIFIC_CURRENT i
}
UNITS { (nA) = (nanoamp) (mV) = (millivolt) (uS) = (microsiemens) }
PARAMETER { tau_r = 0.2 (ms) tau_d = 8 (ms) gmax = 0.001 (uS) e = -80 (mV) }
ASSIGNED { v (mV) i (nA) g (uS) f }
STATE { r d }
INITIAL {
    LOCAL tp
    r = 0 d = 0
    tp = tau_r*tau_d/(tau_d - tau_r)*log(tau_d/tau_r)
    f = 1/(exp(-tp/tau_d) - exp(-tp/tau_r))
}
BREAKPOINT {
    SOLVE states METHOD cnexp
    g = gmax*(d - r)
    i = g*(v - e)
}
DERIVATIVE states {
    r' = -r/tau_r
    d' = -d/tau_d
}
NET_RECEIVE(weight) {
    r = r + weight*f
    d = d + weight*f
}
