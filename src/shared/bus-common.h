/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Names of orchd's D-Bus contract (dbus/org.orchd.Orchestrator1.xml), shared by the daemon,
 * orchctl and the tests so that a rename cannot leave one of them behind. */

#define ORCHD_BUS_NAME "org.orchd.Orchestrator1"
#define ORCHD_MANAGER_PATH "/org/orchd/Orchestrator1"
#define ORCHD_MANAGER_INTERFACE "org.orchd.Orchestrator1.Manager"
#define ORCHD_INSTANCE_PATH_PREFIX "/org/orchd/Orchestrator1/instance"
#define ORCHD_INSTANCE_INTERFACE "org.orchd.Orchestrator1.Instance"
#define ORCHD_ALERT_PATH_PREFIX "/org/orchd/Orchestrator1/alert"
#define ORCHD_ALERT_INTERFACE "org.orchd.Orchestrator1.Alert"

#define ORCHD_ERROR_PREFIX "org.orchd.Orchestrator1.Error."
#define ORCHD_ERROR_NO_SUCH_INSTANCE ORCHD_ERROR_PREFIX "NoSuchInstance"
#define ORCHD_ERROR_INSTANCE_EXISTS ORCHD_ERROR_PREFIX "InstanceExists"
#define ORCHD_ERROR_INVALID_NAME ORCHD_ERROR_PREFIX "InvalidName"
#define ORCHD_ERROR_INVALID_ARGUMENT ORCHD_ERROR_PREFIX "InvalidArgument"
#define ORCHD_ERROR_TOO_MANY_INSTANCES ORCHD_ERROR_PREFIX "TooManyInstances"
#define ORCHD_ERROR_NO_SUCH_ALERT ORCHD_ERROR_PREFIX "NoSuchAlert"
#define ORCHD_ERROR_NO_SUCH_CONTACT ORCHD_ERROR_PREFIX "NoSuchContact"
#define ORCHD_ERROR_BAD_STATE ORCHD_ERROR_PREFIX "BadState"
