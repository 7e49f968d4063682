
&t-fde245a0-3617-46d1-96b5-f13c743a263dÅŽ¹è¤4trainer-service-2z¤
¡
œ'void io.convnet.job.TrainingRequest.<init>(java.lang.String, java.lang.String, java.nio.file.Path, int, int, boolean, io.convnet.train.OptimizerSpec, long, int, int, int, java.nio.file.Path, java.nio.file.Path, boolean, io.convnet.transfer.TransferOptions, io.convnet.data.DataRoot)'