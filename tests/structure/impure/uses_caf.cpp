// Not compiled: the sample that proves domain_purity.sh can fail (structure.domain_purity_catches).
#include <caf/all.hpp>
