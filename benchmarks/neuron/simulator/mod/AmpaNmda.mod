: Glutamatergic synapse: AMPA (rise 0.3 ms, decay 3 ms) plus NMDA (rise 2 ms, decay 70 ms) with the
: Jahr & Stevens (1990) Mg2+ block 1/(1 + exp(-0.08 v) [Mg]/3.57), as in Beniaguev et al. 2021.
: Each conductance is a difference of exponentials normalised to peak at gmax for a weight-1 event.
: gmax_nmda = 0 gives the AMPA-only synapse. Written for repbench.
NEURON {
    POINT_PROCESS AmpaNmda
    RANGE tau_r_ampa, tau_d_ampa, tau_r_nmda, tau_d_nmda, gmax_ampa, gmax_nmda, e, mg
    RANGE g_ampa, g_nmda, i_ampa, i_nmda
    NONSPECIFIC_CURRENT i
}
UNITS { (nA) = (nanoamp) (mV) = (millivolt) (uS) = (microsiemens) (mM) = (milli/liter) }
PARAMETER {
    tau_r_ampa = 0.3 (ms)
    tau_d_ampa = 3 (ms)
    tau_r_nmda = 2 (ms)
    tau_d_nmda = 70 (ms)
    gmax_ampa = 0.0004 (uS)
    gmax_nmda = 0.0004 (uS)
    e = 0 (mV)
    mg = 1 (mM)
}
ASSIGNED { v (mV) i (nA) i_ampa (nA) i_nmda (nA) g_ampa (uS) g_nmda (uS) f_ampa f_nmda }
STATE { ra da rn dn }
INITIAL {
    ra = 0 da = 0 rn = 0 dn = 0
    f_ampa = peak_factor(tau_r_ampa, tau_d_ampa)
    f_nmda = peak_factor(tau_r_nmda, tau_d_nmda)
}
BREAKPOINT {
    SOLVE states METHOD cnexp
    g_ampa = gmax_ampa*(da - ra)
    g_nmda = gmax_nmda*(dn - rn)*mgblock(v)
    i_ampa = g_ampa*(v - e)
    i_nmda = g_nmda*(v - e)
    i = i_ampa + i_nmda
}
DERIVATIVE states {
    ra' = -ra/tau_r_ampa
    da' = -da/tau_d_ampa
    rn' = -rn/tau_r_nmda
    dn' = -dn/tau_d_nmda
}
NET_RECEIVE(weight) {
    ra = ra + weight*f_ampa
    da = da + weight*f_ampa
    rn = rn + weight*f_nmda
    dn = dn + weight*f_nmda
}
UNITSOFF
FUNCTION mgblock(v) { mgblock = 1/(1 + exp(-0.08*v)*mg/3.57) }
: 1/peak of exp(-t/td) - exp(-t/tr)
FUNCTION peak_factor(tr, td) { LOCAL tp
    tp = tr*td/(td - tr)*log(td/tr)
    peak_factor = 1/(exp(-tp/td) - exp(-tp/tr))
}
UNITSON
