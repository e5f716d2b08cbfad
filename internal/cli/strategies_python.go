package cli

// The Python strategies (python-mp, python-pool) register themselves when
// their package is imported; the measurement processes are this binary,
// so they know them too.
import _ "github.com/parbench/parbench/strategies/python"
