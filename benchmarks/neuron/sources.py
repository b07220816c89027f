"""The neuron family's downloaded files (everything else it uses is simulated): the authors' morphology,
declared here, without importing NEURON, so `repbench data list|fetch` know it."""

from repbench.data.files import RemoteFile, register_source

# The authors' morphology: Hay et al. 2011's cell1.asc (ModelDB 139653), fetched from the ModelDB GitHub mirror
HAY2011_CITATION = ("Hay, Hill, Schurmann, Markram & Segev (2011), PLoS Comput Biol 7(7):e1002107, ModelDB 139653, "
                    "morphologies/cell1.asc")
HAY2011_FILE = "morphologies/hay2011_cell1.asc"
HAY2011_SHA256 = "293d0aa92af8d03dbdcc40a711ba3923522615c3a65df485906538a1de986e23"
HAY2011_URLS = (  # the mirror's default branch, then its branch by name
    "https://raw.githubusercontent.com/ModelDBRepository/139653/HEAD/morphologies/cell1.asc",
    "https://github.com/ModelDBRepository/139653/raw/master/morphologies/cell1.asc",
)
register_source("hay2011-morphology", [RemoteFile(HAY2011_FILE, HAY2011_SHA256, HAY2011_URLS)], HAY2011_CITATION)
