#include "Ethernet.h"

EthernetClass Ethernet;
