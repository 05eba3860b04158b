/* state: the modelled OpenSIPS state (state_*.c), built from the recordings, and its handlers. */
#ifndef SIM_STATE_H
#define SIM_STATE_H

#include "commands.h"

/* Each area: _init builds the state from the recordings (0 or -1), _reset returns to it. */
int dialog_state_init(void);
void dialog_state_reset(void);
int dlg_list(struct cmd_call *c);
int dlg_list_ctx(struct cmd_call *c); /* dlg_list plus each dialog's context */
int dlg_end_dlg(struct cmd_call *c);
int dlg_push_var(struct cmd_call *c);
/* dialog profiles (inbound, caller = $fU, lbX*), following the dialogs */
int profile_state_init(void);
int profile_get_size(struct cmd_call *c);
int profile_list_dlgs(struct cmd_call *c);
int profile_get_values(struct cmd_call *c);
int list_all_profiles(struct cmd_call *c);
int profile_end_dlgs(struct cmd_call *c);
/* counts for the dialog statistics */
void dialog_counts(long long *active, long long *early, long long *processed);

int usrloc_state_init(void);
void usrloc_state_reset(void);
int ul_dump(struct cmd_call *c);
int ul_show_contact(struct cmd_call *c);
int ul_add(struct cmd_call *c);
int ul_rm(struct cmd_call *c);
int ul_rm_contact(struct cmd_call *c);
void usrloc_counts(long long *aors, long long *contacts);

int dispatcher_state_init(void);
void dispatcher_state_reset(void);
int ds_list(struct cmd_call *c);
int ds_set_state(struct cmd_call *c);
int ds_reload(struct cmd_call *c);

int routing_state_init(void);
void routing_state_reset(void);
int dr_gw_status(struct cmd_call *c);
int dr_carrier_status(struct cmd_call *c);
int dr_number_routing(struct cmd_call *c);
int dr_reload(struct cmd_call *c);
int lb_list(struct cmd_call *c);
int lb_status(struct cmd_call *c);
int lb_resize(struct cmd_call *c);
int lb_reload(struct cmd_call *c);
int dp_translate(struct cmd_call *c);
int dp_reload(struct cmd_call *c);

int stats_state_init(void);
void stats_state_reset(void);
int stats_get(struct cmd_call *c);
int stats_list(struct cmd_call *c);
int stats_reset(struct cmd_call *c);

/* Generated data (--dialogs N, --contacts N). */
int dialog_generate(unsigned long n);
int usrloc_generate(unsigned long n);

#endif
