package io.jnet.kernel.nft;

/** Wire constants from {@code linux/netfilter/nf_tables.h} and {@code nfnetlink.h}, named as there. */
final class Nft {
    private Nft() {
    }

    // nfnetlink
    static final int NFNL_SUBSYS_NFTABLES = 10;
    static final int NFNL_MSG_BATCH_BEGIN = 0x10;
    static final int NFNL_MSG_BATCH_END = 0x11;
    static final int NFGENMSG_LEN = 4;

    // enum nf_tables_msg_types
    static final int MSG_NEWTABLE = 0;
    static final int MSG_GETTABLE = 1;
    static final int MSG_DELTABLE = 2;
    static final int MSG_NEWCHAIN = 3;
    static final int MSG_GETCHAIN = 4;
    static final int MSG_DELCHAIN = 5;
    static final int MSG_NEWRULE = 6;
    static final int MSG_GETRULE = 7;
    static final int MSG_DELRULE = 8;
    static final int MSG_NEWSET = 9;
    static final int MSG_GETSET = 10;
    static final int MSG_DELSET = 11;
    static final int MSG_NEWSETELEM = 12;
    static final int MSG_GETSETELEM = 13;
    static final int MSG_DELSETELEM = 14;
    static final int MSG_GETGEN = 16;
    // since Linux 6.3: like DEL, but a missing object is not an error
    static final int MSG_DESTROYTABLE = 26;
    static final int MSG_DESTROYCHAIN = 27;
    static final int MSG_DESTROYSET = 29;
    static final int MSG_DESTROYSETELEM = 30;

    static final int NFTA_LIST_ELEM = 1;

    static final int NFTA_HOOK_HOOKNUM = 1;
    static final int NFTA_HOOK_PRIORITY = 2;

    static final int NFTA_TABLE_NAME = 1;
    static final int NFTA_TABLE_FLAGS = 2;

    static final int NFTA_CHAIN_TABLE = 1;
    static final int NFTA_CHAIN_NAME = 3;
    static final int NFTA_CHAIN_HOOK = 4;
    static final int NFTA_CHAIN_POLICY = 5;
    static final int NFTA_CHAIN_TYPE = 7;

    static final int NFTA_RULE_TABLE = 1;
    static final int NFTA_RULE_CHAIN = 2;
    static final int NFTA_RULE_HANDLE = 3;
    static final int NFTA_RULE_EXPRESSIONS = 4;
    static final int NFTA_RULE_USERDATA = 7;

    static final int NFTA_SET_TABLE = 1;
    static final int NFTA_SET_NAME = 2;
    static final int NFTA_SET_FLAGS = 3;
    static final int NFTA_SET_KEY_TYPE = 4;
    static final int NFTA_SET_KEY_LEN = 5;
    static final int NFTA_SET_DATA_TYPE = 6;
    static final int NFTA_SET_DATA_LEN = 7;
    static final int NFTA_SET_DESC = 9;
    static final int NFTA_SET_ID = 10;
    static final int NFTA_SET_USERDATA = 13;

    static final int NFTA_SET_DESC_CONCAT = 2;
    static final int NFTA_SET_FIELD_LEN = 1;

    static final int NFT_SET_INTERVAL = 0x4;
    static final int NFT_SET_MAP = 0x8;
    static final int NFT_SET_CONCAT = 0x80;
    static final int NFT_DATA_VERDICT = 0xffffff00;

    static final int NFTA_SET_ELEM_KEY = 1;
    static final int NFTA_SET_ELEM_DATA = 2;
    static final int NFTA_SET_ELEM_FLAGS = 3;
    static final int NFTA_SET_ELEM_USERDATA = 6;
    static final int NFTA_SET_ELEM_KEY_END = 10;
    static final int NFT_SET_ELEM_INTERVAL_END = 0x1;

    static final int NFTA_SET_ELEM_LIST_TABLE = 1;
    static final int NFTA_SET_ELEM_LIST_SET = 2;
    static final int NFTA_SET_ELEM_LIST_ELEMENTS = 3;
    static final int NFTA_SET_ELEM_LIST_SET_ID = 4;

    static final int NFTA_DATA_VALUE = 1;
    static final int NFTA_DATA_VERDICT = 2;
    static final int NFTA_VERDICT_CODE = 1;
    static final int NFTA_VERDICT_CHAIN = 2;

    static final int NFTA_EXPR_NAME = 1;
    static final int NFTA_EXPR_DATA = 2;

    static final int NFTA_IMMEDIATE_DREG = 1;
    static final int NFTA_IMMEDIATE_DATA = 2;

    static final int NFTA_CMP_SREG = 1;
    static final int NFTA_CMP_OP = 2;
    static final int NFTA_CMP_DATA = 3;

    static final int NFTA_RANGE_SREG = 1;
    static final int NFTA_RANGE_OP = 2;
    static final int NFTA_RANGE_FROM_DATA = 3;
    static final int NFTA_RANGE_TO_DATA = 4;

    static final int NFTA_BITWISE_SREG = 1;
    static final int NFTA_BITWISE_DREG = 2;
    static final int NFTA_BITWISE_LEN = 3;
    static final int NFTA_BITWISE_MASK = 4;
    static final int NFTA_BITWISE_XOR = 5;
    static final int NFTA_BITWISE_OP = 6;

    static final int NFTA_LOOKUP_SET = 1;
    static final int NFTA_LOOKUP_SREG = 2;
    static final int NFTA_LOOKUP_DREG = 3;
    static final int NFTA_LOOKUP_SET_ID = 4;
    static final int NFTA_LOOKUP_FLAGS = 5;
    static final int NFT_LOOKUP_F_INV = 1;

    static final int NFTA_PAYLOAD_DREG = 1;
    static final int NFTA_PAYLOAD_BASE = 2;
    static final int NFTA_PAYLOAD_OFFSET = 3;
    static final int NFTA_PAYLOAD_LEN = 4;
    static final int NFTA_PAYLOAD_SREG = 5;

    static final int NFTA_META_DREG = 1;
    static final int NFTA_META_KEY = 2;
    static final int NFTA_META_SREG = 3;

    static final int NFTA_CT_DREG = 1;
    static final int NFTA_CT_KEY = 2;
    static final int NFTA_CT_DIRECTION = 3;
    static final int NFTA_CT_SREG = 4;

    static final int NFTA_NAT_TYPE = 1;
    static final int NFTA_NAT_FAMILY = 2;
    static final int NFTA_NAT_REG_ADDR_MIN = 3;
    static final int NFTA_NAT_REG_ADDR_MAX = 4;
    static final int NFTA_NAT_REG_PROTO_MIN = 5;
    static final int NFTA_NAT_REG_PROTO_MAX = 6;
    static final int NFTA_NAT_FLAGS = 7;

    static final int NFTA_MASQ_FLAGS = 1;
    static final int NFTA_MASQ_REG_PROTO_MIN = 2;
    static final int NFTA_MASQ_REG_PROTO_MAX = 3;

    static final int NFTA_COUNTER_BYTES = 1;
    static final int NFTA_COUNTER_PACKETS = 2;

    static final int NFTA_FIB_DREG = 1;
    static final int NFTA_FIB_RESULT = 2;
    static final int NFTA_FIB_FLAGS = 3;

    // libnftnl's userdata TLVs (u8 type, u8 length, value), which nft reads back for printing
    static final int UDATA_RULE_COMMENT = 0;
    static final int UDATA_SET_KEYBYTEORDER = 0;
    static final int UDATA_SET_DATABYTEORDER = 1;
    static final int UDATA_SET_KEY_TYPEOF = 3;
    static final int UDATA_SET_DATA_TYPEOF = 4;
    static final int UDATA_SET_DATA_INTERVAL = 6;
    static final int UDATA_SET_TYPEOF_EXPR = 0;
    static final int UDATA_SET_TYPEOF_DATA = 1;
    static final int UDATA_SET_ELEM_FLAGS = 1;
    static final int UDATA_SET_ELEM_F_INTERVAL_OPEN = 1;
    // nft's enum expr_types value for a concatenation, written as the "typeof" of concatenated set types
    static final int NFT_EXPR_CONCAT = 13;
}
