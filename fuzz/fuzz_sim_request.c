/* fuzz_sim_request: feed arbitrary bytes to the simulator's MI request handler (rpc_handle), as
 * each of its transports would, over the state built from the recordings. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "catalogue.h"
#include "commands.h"
#include "recorded.h"
#include "rpc.h"
#include "sim.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void setup(void)
{
    static char rec_dir[] = SIM_DATA_DIR "/recordings";
    sim.timing = SIM_TIMING_NONE;
    sim.data_dir = SIM_DATA_DIR;
    sim.rec_dir = rec_dir;
    if (catalogue_load(&sim.cat, SIM_V40, SIM_DATA_DIR "/catalogue/opensips-mi-catalogue-4.0.1.json",
                       SIM_DATA_DIR "/recordings/http/which_extended.json") < 0 ||
        recorded_load(&sim.rec, sim.rec_dir, &sim.cat) < 0 || commands_init_state() < 0) {
        fprintf(stderr, "fuzz_sim_request: cannot load %s\n", SIM_DATA_DIR);
        abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const transports[] = {"http", "fifo", "datagram"};
    static int ready;
    struct rpc_result r;

    if (!ready) {
        setup();
        ready = 1;
    }
    rpc_handle((const char *)data, size, transports[size % 3], &r);
    rpc_result_release(&r);
    return 0;
}
