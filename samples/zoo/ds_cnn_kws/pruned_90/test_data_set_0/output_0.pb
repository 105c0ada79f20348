BoutputJ0°®p¼´b®¾Kp¾,:§¾•VL½|’º¾£D=¥Ll>p[À»
è½s0[><ÒŠ¾